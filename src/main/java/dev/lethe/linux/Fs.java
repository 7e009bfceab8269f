package dev.lethe.linux;

import static dev.lethe.linux.Syscalls.bytes;

import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The intent-level file system API the engine uses, acting on a root that may be mounted
 * elsewhere ({@code --root /sysroot}). Every path is resolved from a descriptor of that root with
 * {@code openat2(RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH)}: no component is ever a symbolic link
 * that lethe followed, so a user who swaps part of their home for a link cannot redirect lethe,
 * and nothing escapes the root. Operations then act on the descriptor, not on the path again.
 */
public final class Fs implements AutoCloseable {

    private static final long RESOLVE = Flags.RESOLVE_NO_SYMLINKS | Flags.RESOLVE_BENEATH;

    private final Syscalls sys;
    private final String rootPrefix;
    private final int rootFd;
    /** What mkdir gives a directory this process makes; read at the first creation that asks. */
    private Creator creator;

    private Fs(Syscalls sys, String rootDirectory, int rootFd) {
        this.sys = sys;
        this.rootPrefix = rootDirectory.equals("/") ? "" : rootDirectory;
        this.rootFd = rootFd;
    }

    /** Opens the managed root; {@code rootDirectory} is an absolute host path such as "/" or "/sysroot". */
    public static Fs open(Syscalls sys, String rootDirectory) throws ErrnoException {
        int fd = sys.openat(Flags.AT_FDCWD, bytes(rootDirectory), Flags.O_PATH | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
        return new Fs(sys, rootDirectory, fd);
    }

    public Syscalls syscalls() {
        return sys;
    }

    /** The host path of a managed path, for messages and child processes ("/sysroot/var/log"). */
    public String hostPath(AbsolutePath path) {
        return path.isRoot() ? (rootPrefix.isEmpty() ? "/" : rootPrefix) : rootPrefix + path.value();
    }

    private static byte[] relative(AbsolutePath path) {
        return path.isRoot() ? bytes(".") : bytes(path.value().substring(1));
    }

    /**
     * Takes an exclusive advisory lock on the root directory, so two lethe processes acting on the
     * same root run one after the other. Returns false if another holds it; then {@link
     * #waitForLock} blocks until it is released. The lock goes with the process.
     */
    public boolean tryLock() throws ErrnoException {
        lockFd = sys.openat(rootFd, bytes("."), Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
        try {
            sys.flock(lockFd, Flags.LOCK_EX | Flags.LOCK_NB);
            return true;
        } catch (ErrnoException e) {
            if (e.is(Errno.EAGAIN)) {
                return false;
            }
            throw e.withPath(hostPath(AbsolutePath.ROOT));
        }
    }

    public void waitForLock() throws ErrnoException {
        sys.flock(lockFd, Flags.LOCK_EX);
    }

    private int lockFd = -1;

    /** An open descriptor, closed with try-with-resources. */
    public final class Fd implements AutoCloseable {
        private final int fd;
        private final AbsolutePath path;

        private Fd(int fd, AbsolutePath path) {
            this.fd = fd;
            this.path = path;
        }

        public int value() {
            return fd;
        }

        public AbsolutePath path() {
            return path;
        }

        @Override
        public void close() {
            sys.close(fd);
        }
    }

    /**
     * Opens {@code path} with {@code flags} (O_NOFOLLOW and O_CLOEXEC added), refusing symlinks in any
     * component. A symlink in the way becomes an {@link UnsafePathException} naming it.
     */
    public Fd open(AbsolutePath path, long flags) throws IOException {
        try {
            int fd = sys.openat2(rootFd, relative(path), flags | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0, RESOLVE);
            return new Fd(fd, path);
        } catch (ErrnoException e) {
            throw explain(e, path);
        }
    }

    private IOException explain(ErrnoException e, AbsolutePath path) throws IOException {
        if (e.is(Errno.ELOOP) || e.is(Errno.ENOTDIR) || e.is(Errno.EXDEV)) {
            Optional<IOException> culprit = findCulprit(path);
            if (culprit.isPresent()) {
                return culprit.get();
            }
        }
        return e.withPath(hostPath(path));
    }

    /** Walks {@code path} component by component to name the link or non-directory in the way. */
    private Optional<IOException> findCulprit(AbsolutePath path) {
        List<AbsolutePath> chain = new java.util.ArrayList<>(path.ancestors());
        chain.add(path);
        for (AbsolutePath step : chain) {
            Stat stat;
            try {
                stat = sys.statx(rootFd, relative(step), 0);
            } catch (ErrnoException e) {
                return Optional.empty();
            }
            if (stat.isSymlink()) {
                String target;
                try {
                    target = new String(sys.readlinkat(rootFd, relative(step)), java.nio.charset.StandardCharsets.UTF_8);
                } catch (ErrnoException e) {
                    target = "?";
                }
                return Optional.of(new UnsafePathException(path.value(), step.value(),
                        hostPath(step) + " is a symbolic link (to " + target + "); lethe does not follow symbolic links"
                                + (step.equals(path) ? "" : " on the way to " + path)
                                + ". Replace it with a real directory, or remove the entry."));
            }
            if (!step.equals(path) && !stat.isDirectory()) {
                return Optional.of(new UnsafePathException(path.value(), step.value(),
                        hostPath(step) + " is a " + stat.typeWord() + ", but " + path + " needs it to be a directory."));
            }
        }
        return Optional.empty();
    }

    /** The type and metadata of {@code path} itself (a symlink is reported, not followed), or empty if absent. */
    public Optional<Stat> stat(AbsolutePath path) throws IOException {
        try (Fd fd = open(path, Flags.O_PATH)) {
            return Optional.of(sys.statx(fd.value(), new byte[0], Flags.AT_EMPTY_PATH));
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * True if anything is at {@code path} itself (a symlink counts, not followed): {@link #stat}'s
     * answer without the statx, for the checks of presence made for every entry at every apply.
     */
    public boolean exists(AbsolutePath path) throws IOException {
        try (Fd fd = open(path, Flags.O_PATH)) {
            return true;
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT)) {
                return false;
            }
            throw e;
        }
    }

    /** What {@link #inspect} found: the path's metadata and, for a directory, whether it is empty. */
    public record Inspection(Stat stat, boolean empty) {}

    /**
     * The metadata of {@code path} itself (a symlink is reported, not followed) and, for a
     * directory, whether it is empty, through one resolution of the path; empty if it is absent.
     */
    public Optional<Inspection> inspect(AbsolutePath path) throws IOException {
        try (Fd fd = open(path, Flags.O_PATH)) {
            Stat stat = sys.statx(fd.value(), new byte[0], Flags.AT_EMPTY_PATH);
            if (!stat.isDirectory()) {
                return Optional.of(new Inspection(stat, false));
            }
            try (Descriptor dirFd = sys.open(fd.value(), bytes("."), Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0)) {
                int dir = dirFd.value();
                return Optional.of(new Inspection(stat, !sys.hasEntriesJustOpened(dir)));
            }
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT)) {
                return Optional.empty();
            }
            throw e.withPath(hostPath(path));
        }
    }

    /** True if the directory has no entries. */
    public boolean isEmptyDirectory(AbsolutePath path) throws IOException {
        try (Fd fd = open(path, Flags.O_RDONLY | Flags.O_DIRECTORY)) {
            return !sys.hasEntriesJustOpened(fd.value());
        }
    }

    public List<Syscalls.DirEntry> list(AbsolutePath path) throws IOException {
        try (Fd fd = open(path, Flags.O_RDONLY | Flags.O_DIRECTORY)) {
            return sys.listDirectory(fd.value());
        }
    }

    public String readLink(AbsolutePath path) throws IOException {
        try (Fd parent = open(path.parent(), Flags.O_PATH | Flags.O_DIRECTORY)) {
            return new String(sys.readlinkat(parent.value(), bytes(path.fileName())), java.nio.charset.StandardCharsets.UTF_8);
        } catch (ErrnoException e) {
            throw e.withPath(hostPath(path));
        }
    }

    /**
     * Creates a directory with its owner and mode already set when its name appears: it is made
     * under a temporary name (0700, root only), checked to be the empty root-owned directory just
     * made, chowned and chmodded through a descriptor (chown clears setgid, so the mode comes
     * last), then renamed into place without replacing anything. A crash leaves either nothing or a
     * finished directory at the name. An existing directory is left as it is.
     */
    public void makeDirectory(AbsolutePath path, int uid, int gid, int mode) throws IOException {
        create(path, uid, gid, mode, Fs.Kind.DIRECTORY);
    }

    /** Creates an empty regular file the same way as {@link #makeDirectory}; an existing file is kept. */
    public void makeEmptyFile(AbsolutePath path, int uid, int gid, int mode) throws IOException {
        create(path, uid, gid, mode, Fs.Kind.NON_DIRECTORY);
    }

    private void create(AbsolutePath path, int uid, int gid, int mode, Fs.Kind kind) throws IOException {
        byte[] name = bytes(path.fileName());
        boolean directory = kind == Fs.Kind.DIRECTORY;
        try (Fd parent = open(path.parent(), Flags.O_PATH | Flags.O_DIRECTORY)) {
            if (directory && madeDirectly(parent.value(), name, uid, gid, mode)) {
                return;
            }
            byte[] temporary = temporaryName(name);
            // Made without looking at the name first: the callers create what they have just found
            // absent (the plan's observation, or a stat of their own), so a look would fail, at the
            // cost of a statx and an exception per creation, thousands at a large config's first
            // boot. If anything fails, the name is looked at then, and what was there all along (a
            // caller's view gone stale, or the mount-point file a crashed migration left, which
            // Migration.finish asks for again) is answered as a look first would have: accepted if
            // it is what lethe was making, refused otherwise.
            for (int attempt = 1; ; attempt++) {
                try {
                    makeAndRename(parent.value(), temporary, name, directory, path, uid, gid, mode);
                    return;
                } catch (IOException failure) {
                    Optional<Stat> existing;
                    try {
                        existing = statAt(parent.value(), name);
                    } catch (ErrnoException lookFailed) {
                        failure.addSuppressed(lookFailed);
                        throw failure;
                    }
                    if (existing.isPresent()) {
                        if (existing.get().isDirectory() == directory && (directory || existing.get().isRegularFile())) {
                            return;
                        }
                        throw new UnsafePathException(path.value(), path.value(), hostPath(path) + " is a "
                                + existing.get().typeWord() + " where lethe needs a " + (directory ? "directory" : "file"));
                    }
                    if (!(failure instanceof ErrnoException errno && errno.is(Errno.EEXIST))) {
                        throw failure;
                    }
                    if (attempt == 3) {
                        throw new UnsafePathException(path.value(), path.value(), "something keeps creating and removing "
                                + hostPath(path) + " while lethe creates it; nothing was changed. Apply again when it stops.");
                    }
                }
            }
        } catch (ErrnoException e) {
            throw e.withPath(hostPath(path));
        }
    }

    /**
     * Makes a root-owned directory at its name in one step, when that gives it exactly its owner and
     * mode: the name then appears finished, as through a temporary, in 5 system calls instead of 11
     * (a boot creates a mount point for every entry on the fresh root). Only when the process's
     * umask leaves the mode whole and its filesystem ids are root's ({@link Creator}), for a mode
     * without setuid or setgid bits (which mkdir does not set), and in a parent that only root can
     * write (nothing can be swapped in meanwhile, and there is no chown or chmod to misdirect anyway)
     * of group root without the setgid bit (whose group and bit a new directory would inherit). The
     * result is checked all the same: a default ACL on the parent narrows a new directory's mode
     * whatever mkdir asks (never widens it), and then the directory, empty and just made, is removed
     * again and the caller makes it through a temporary. A crash in that moment leaves a root-owned
     * empty directory with at most the permissions asked for.
     *
     * @return true if the directory was made here; false when the caller must make it
     */
    private boolean madeDirectly(int parentFd, byte[] name, int uid, int gid, int mode) throws IOException {
        if (creator == null) {
            creator = Creator.ofThisProcess();
        }
        if (uid != 0 || gid != 0 || !creator.makesRootOwned(mode)) {
            return false;
        }
        Stat parent = sys.statx(parentFd, new byte[0], Flags.AT_EMPTY_PATH);
        if (parent.uid() != 0 || parent.gid() != 0 || (parent.permissions() & 02022) != 0) {
            return false;
        }
        try {
            sys.mkdirat(parentFd, name, mode);
        } catch (ErrnoException e) {
            if (e.is(Errno.EEXIST)) {
                return false;  // the caller's way answers a name already there, as it always has
            }
            throw e;
        }
        Stat made = sys.statx(parentFd, name, 0);  // the name itself, not followed
        if (made.isDirectory() && made.uid() == 0 && made.gid() == 0 && made.permissions() == mode) {
            return true;
        }
        // Not as asked. Removing an empty directory loses nothing, whoever made it.
        sys.unlinkat(parentFd, name, Flags.AT_REMOVEDIR);
        return false;
    }

    /**
     * The temporary made, checked to be lethe's own, given its owner and mode, then renamed to
     * {@code name} without replacing anything. A temporary that is lethe's is removed again when a
     * later step fails; one that is not (swapped in by someone who can write the parent) is left.
     */
    private void makeAndRename(int parentFd, byte[] temporary, byte[] name, boolean directory, AbsolutePath path,
                               int uid, int gid, int mode) throws IOException {
        try (Descriptor made = makeTemporary(parentFd, temporary, directory, path, uid, gid)) {
            int fd = made.value();
            // In a parent the user can write, the name could have been swapped since mkdirat:
            // act only on the empty, root-owned object lethe just made.
            Stat stat = sys.statx(fd, new byte[0], Flags.AT_EMPTY_PATH);
            int permissions = stat.permissions();
            if (directory && (permissions & 02000) != 0 && inheritsSetgid(parentFd, stat)) {
                permissions &= ~02000;  // the mode set next clears it
            }
            if (stat.uid() != 0 || permissions != 0600 && permissions != 0700
                    || (directory ? sys.hasEntriesJustOpened(fd) : stat.size() != 0)) {
                throw new UnsafePathException(path.value(), path.value(), hostPath(path.parent())
                        + " changed while lethe was creating " + path.fileName() + " in it; nothing was changed");
            }
            try {
                sys.fchownat(fd, new byte[0], uid, gid, Flags.AT_EMPTY_PATH);
                sys.fchmod(fd, mode);
            } catch (ErrnoException e) {
                removeOwnTemporary(parentFd, temporary, directory, e);
                throw e;
            }
        }
        try {
            sys.renameat2(parentFd, temporary, parentFd, name, Flags.RENAME_NOREPLACE);
        } catch (ErrnoException e) {
            removeOwnTemporary(parentFd, temporary, directory, e);
            throw e;
        }
    }

    /** True if a directory made in the parent gets the setgid bit and group it has: the parent's own bit. */
    private boolean inheritsSetgid(int parentFd, Stat made) throws ErrnoException {
        Stat parent = sys.statx(parentFd, new byte[0], Flags.AT_EMPTY_PATH);
        return (parent.permissions() & 02000) != 0 && parent.gid() == made.gid();
    }

    /** Removes the temporary lethe made after {@code failure}; a failure to remove it is told with that one. */
    private void removeOwnTemporary(int parentFd, byte[] temporary, boolean directory, ErrnoException failure) {
        try {
            sys.unlinkat(parentFd, temporary, directory ? Flags.AT_REMOVEDIR : 0);
        } catch (ErrnoException e) {
            failure.addSuppressed(e);
        }
    }

    private static byte[] temporaryName(byte[] name) {
        byte[] prefix = bytes(".lethe-new.");
        int keep = Math.min(name.length, 255 - prefix.length);
        byte[] temporary = java.util.Arrays.copyOf(prefix, prefix.length + keep);
        System.arraycopy(name, 0, temporary, prefix.length, keep);
        return temporary;
    }

    /**
     * Makes the temporary, root only: a directory, then opened, or an empty file, created exclusively.
     * If the name is taken (a temporary left by a crash), {@link #removeStaleTemporary} removes it
     * when that loses nothing, and the temporary is made again. Not looked up first: that was a
     * statx, failing, before each of the thousands of creations a large config makes at a boot.
     */
    private Descriptor makeTemporary(int parentFd, byte[] temporary, boolean directory, AbsolutePath path,
                                     int uid, int gid) throws IOException {
        try {
            return makeTemporaryOnce(parentFd, temporary, directory);
        } catch (ErrnoException e) {
            if (!e.is(Errno.EEXIST)) {
                throw e;
            }
        }
        removeStaleTemporary(parentFd, temporary, path, uid, gid);
        return makeTemporaryOnce(parentFd, temporary, directory);
    }

    private Descriptor makeTemporaryOnce(int parentFd, byte[] temporary, boolean directory) throws ErrnoException {
        if (directory) {
            sys.mkdirat(parentFd, temporary, 0700);
            return sys.open(parentFd, temporary, Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0);
        }
        return sys.open(parentFd, temporary, Flags.O_WRONLY | Flags.O_CREAT | Flags.O_EXCL | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0600);
    }

    /**
     * A temporary left by a crash: an empty directory or file lethe made, owned by root or already
     * by the owner it was being made for (the crash came after the chown). Removing it loses
     * nothing; anything else is refused.
     */
    private void removeStaleTemporary(int parentFd, byte[] temporary, AbsolutePath path, int uid, int gid)
            throws IOException {
        Optional<Stat> stale = statAt(parentFd, temporary);
        if (stale.isEmpty()) {
            return;
        }
        Stat stat = stale.get();
        boolean ownedAsMade = stat.uid() == 0 || (stat.uid() == uid && stat.gid() == gid);
        boolean removable = ownedAsMade && (stat.isDirectory() || (stat.isRegularFile() && stat.size() == 0));
        if (removable && stat.isDirectory()) {
            try (Descriptor opened = sys.open(parentFd, temporary, Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0)) {
                int fd = opened.value();
                removable = !sys.hasEntriesJustOpened(fd);
            }
        }
        if (!removable) {
            throw new UnsafePathException(path.value(), path.value(), "an unexpected " + stat.typeWord() + " named "
                    + new String(temporary, java.nio.charset.StandardCharsets.UTF_8) + " is in " + hostPath(path.parent())
                    + "; lethe uses that name while creating " + path.fileName() + ". Remove it, then apply again.");
        }
        sys.unlinkat(parentFd, temporary, stat.isDirectory() ? Flags.AT_REMOVEDIR : 0);
    }

    private Optional<Stat> statAt(int dirFd, byte[] name) throws ErrnoException {
        try {
            return Optional.of(sys.statx(dirFd, name, 0));
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Sets owner, group and mode of a directory or regular file, through a descriptor of it. */
    public void setOwnerAndMode(AbsolutePath path, int uid, int gid, int mode) throws IOException {
        Stat stat = stat(path).orElseThrow(() -> new ErrnoException("stat", hostPath(path), Errno.ENOENT));
        long flags = stat.isDirectory() ? Flags.O_RDONLY | Flags.O_DIRECTORY
                : Flags.O_RDONLY | Flags.O_NONBLOCK | Flags.O_NOCTTY;
        if (!stat.isDirectory() && !stat.isRegularFile()) {
            throw new UnsafePathException(path.value(), path.value(),
                    hostPath(path) + " is a " + stat.typeWord() + "; lethe only sets owner and mode on directories and files.");
        }
        if (stat.isRegularFile() && stat.nlink() > 1) {
            // A hard link could make this any file on the filesystem (a user's link to /etc/shadow).
            throw new UnsafePathException(path.value(), path.value(), hostPath(path) + " has " + stat.nlink()
                    + " hard links; lethe will not change the owner or mode of a file that may be another one too.");
        }
        try (Fd fd = open(path, flags)) {
            sys.fchownat(fd.value(), new byte[0], uid, gid, Flags.AT_EMPTY_PATH);
            sys.fchmod(fd.value(), mode);
        } catch (ErrnoException e) {
            throw e.withPath(hostPath(path));
        }
    }

    /** Renames within the root; fails with EXDEV across filesystems, and never replaces a non-empty target. */
    public void rename(AbsolutePath from, AbsolutePath to, int flags) throws IOException {
        try (Fd fromParent = open(from.parent(), Flags.O_PATH | Flags.O_DIRECTORY);
             Fd toParent = open(to.parent(), Flags.O_PATH | Flags.O_DIRECTORY)) {
            sys.renameat2(fromParent.value(), bytes(from.fileName()), toParent.value(), bytes(to.fileName()), flags);
        } catch (ErrnoException e) {
            throw new ErrnoException(e.call(), hostPath(from) + " -> " + hostPath(to), e.errno());
        }
    }

    /** Removes an empty directory or a file or symlink; never a non-empty directory. */
    public void removeEmpty(AbsolutePath path, Kind kind) throws IOException {
        try (Fd parent = open(path.parent(), Flags.O_PATH | Flags.O_DIRECTORY)) {
            sys.unlinkat(parent.value(), bytes(path.fileName()), kind == Kind.DIRECTORY ? Flags.AT_REMOVEDIR : 0);
        } catch (ErrnoException e) {
            throw e.withPath(hostPath(path));
        }
    }

    /** What {@link #removeEmpty} removes. */
    public enum Kind { DIRECTORY, NON_DIRECTORY }

    public void symlink(AbsolutePath link, String target) throws IOException {
        try (Fd parent = open(link.parent(), Flags.O_PATH | Flags.O_DIRECTORY)) {
            sys.symlinkat(bytes(target), parent.value(), bytes(link.fileName()));
        } catch (ErrnoException e) {
            throw e.withPath(hostPath(link));
        }
    }

    /**
     * Bind-mounts {@code source} onto {@code target} with the descriptor-based mount API
     * (open_tree + move_mount): both ends are the exact inodes resolved without symlinks. A target
     * directory must be empty (safety invariant 2): it is checked through a descriptor of the
     * directory that is mounted on, before the mount and again after it, and a mount that hid
     * something created in between is taken away again. A target file is the caller's to check,
     * because an identical copy of the store's file may stay under the mount.
     */
    public void bindMount(AbsolutePath source, AbsolutePath target) throws IOException {
        try (Fd to = open(target, Flags.O_PATH); Fd from = open(source, Flags.O_PATH)) {
            boolean directory = sys.statx(to.value(), new byte[0], Flags.AT_EMPTY_PATH).isDirectory();
            // The directory mounted on, for its emptiness; none for a file (a null resource is not closed).
            try (Descriptor onTarget = directory
                    ? sys.open(to.value(), bytes("."), Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0) : null) {
                int under = onTarget == null ? -1 : onTarget.value();
                if (under >= 0 && sys.hasEntriesJustOpened(under)) {
                    throw holdsData(target);
                }
                try (Descriptor treeFd = Descriptor.owning(sys, sys.openTree(from.value(), new byte[0],
                        Flags.OPEN_TREE_CLONE | Flags.OPEN_TREE_CLOEXEC | Flags.AT_EMPTY_PATH))) {
                    int tree = treeFd.value();
                    sys.moveMount(tree, new byte[0], to.value(), new byte[0],
                            Flags.MOVE_MOUNT_F_EMPTY_PATH | Flags.MOVE_MOUNT_T_EMPTY_PATH);
                }
                // The same descriptor, read once already: this check rewinds it.
                if (under >= 0 && sys.hasEntries(under)) {
                    unmount(target);
                    throw holdsData(target);
                }
            }
        } catch (ErrnoException e) {
            throw new ErrnoException(e.call(), hostPath(source) + " -> " + hostPath(target), e.errno());
        }
    }

    private UnsafePathException holdsData(AbsolutePath target) {
        return new UnsafePathException(target.value(), target.value(), hostPath(target)
                + " holds data now; lethe will not hide it under a mount. Apply again to migrate it.");
    }

    /** Unmounts the mount on top of {@code target}, addressed through a descriptor so no link is followed. */
    public void unmount(AbsolutePath target) throws IOException {
        try (Fd fd = open(target, Flags.O_PATH)) {
            // Detach: the descriptor itself pins the mount, so a plain umount would report EBUSY.
            sys.umount2(bytes("/proc/self/fd/" + fd.value()), Flags.MNT_DETACH);
        } catch (ErrnoException e) {
            throw e.withPath(hostPath(target));
        }
    }

    /** fsync(2) on a directory, so that a rename or creation in it survives a power cut. */
    public void syncDirectory(AbsolutePath path) throws IOException {
        try (Fd fd = open(path, Flags.O_RDONLY | Flags.O_DIRECTORY)) {
            sys.fsync(fd.value());
        } catch (ErrnoException e) {
            throw e.withPath(hostPath(path));
        }
    }

    /** Reads a small regular file whole. */
    public byte[] readFile(AbsolutePath path) throws IOException {
        try (Fd fd = open(path, Flags.O_RDONLY | Flags.O_NONBLOCK | Flags.O_NOCTTY)) {
            // Read into an array of the size the file has (the diff's caches are megabytes: growing
            // a buffer copied them three times over); grown only if the file grows meanwhile, tells
            // no size (/proc), or tells more than is worth allocating before a byte is read.
            int limit = Integer.MAX_VALUE - 8;
            long told = sys.statx(fd.value(), new byte[0], Flags.AT_EMPTY_PATH).size();
            byte[] content = new byte[(int) Math.min(Math.max(told, 0), 64 << 20)];
            int length = 0;
            while (true) {
                if (length == content.length) {
                    byte[] probe = new byte[1];
                    if (sys.pread(fd.value(), probe, 1, length) <= 0) {
                        return content;
                    }
                    if (length == limit) {
                        throw new IOException(hostPath(path) + " is too large to read whole");
                    }
                    content = java.util.Arrays.copyOf(content, (int) Math.min(Math.max(2L * length, 4096), limit));
                    content[length++] = probe[0];
                    continue;
                }
                int n = sys.pread(fd.value(), content, length, Math.min(content.length - length, 64 * 1024), length);
                if (n <= 0) {
                    return java.util.Arrays.copyOf(content, length);
                }
                length += n;
            }
        } catch (ErrnoException e) {
            throw e.withPath(hostPath(path));
        }
    }

    /**
     * Writes a small file so that it is either absent or whole after a crash: a temporary file in the
     * same directory, fsynced, renamed over the name, and the directory fsynced.
     */
    public void writeFileAtomically(AbsolutePath path, byte[] content, int mode) throws IOException {
        AbsolutePath temporary = path.parent().resolve("." + path.fileName() + ".tmp");
        try (Fd parent = open(path.parent(), Flags.O_PATH | Flags.O_DIRECTORY)) {
            try {
                sys.unlinkat(parent.value(), bytes(temporary.fileName()), 0);
            } catch (ErrnoException e) {
                if (!e.is(Errno.ENOENT)) {
                    throw e;
                }
            }
            try (Descriptor opened = sys.open(parent.value(), bytes(temporary.fileName()),
                    Flags.O_WRONLY | Flags.O_CREAT | Flags.O_EXCL | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, mode)) {
                int fd = opened.value();
                sys.pwriteFully(fd, content, content.length, 0);
                sys.fsync(fd);
            }
            sys.renameat2(parent.value(), bytes(temporary.fileName()), parent.value(), bytes(path.fileName()), 0);
            // fsync needs a descriptor opened for reading; an O_PATH one gives EBADF.
            try (Descriptor directoryFd = sys.open(parent.value(), bytes("."), Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0)) {
                int directory = directoryFd.value();
                sys.fsync(directory);
            }
        } catch (ErrnoException e) {
            throw e.withPath(hostPath(path));
        }
    }

    /** Removes a file if it exists; a directory is never removed this way. */
    public void removeFileIfPresent(AbsolutePath path) throws IOException {
        try (Fd parent = open(path.parent(), Flags.O_PATH | Flags.O_DIRECTORY)) {
            sys.unlinkat(parent.value(), bytes(path.fileName()), 0);
        } catch (ErrnoException e) {
            if (!e.is(Errno.ENOENT)) {
                throw e.withPath(hostPath(path));
            }
        }
    }

    @Override
    public void close() {
        if (lockFd >= 0) {
            sys.close(lockFd);
        }
        sys.close(rootFd);
    }
}
