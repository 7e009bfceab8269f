package dev.lethe.diff;

import static dev.lethe.linux.Syscalls.bytes;

import dev.lethe.diff.packages.Ownership;
import dev.lethe.diff.packages.PackageBaseline;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The adoption-mode diff (strategies "none" and "tmpfs": no blank state exists): everything on the
 * root filesystem except what the config persists, what installed packages own unchanged, and other
 * filesystems.
 *
 * <p>Everything goes through descriptors: each directory is opened with {@code openat(O_NOFOLLOW |
 * O_DIRECTORY)} relative to its parent's descriptor and every name is examined with {@code statx}
 * without following symbolic links, so a link (even one to "/") is never followed. A name on another
 * mount (another device, another mount id, or a mount root: {@code /proc}, {@code /sys}, {@code /dev},
 * {@code /run}, bind mounts) is skipped and reported nowhere.
 *
 * <ul>
 * <li>a path no package owns is {@code ADDED}; an unowned directory is reported once, as a directory
 * carrying the bytes of everything below it ({@link Result#counts()} says how many paths it holds),
 * unless something below it is persisted or ignored: then it is reported with 0 bytes and its
 * remaining contents one by one, as the overlay diff does;</li>
 * <li>an owned file whose recorded md5 differs is {@code MODIFIED "modified"} ({@code "config
 * changed"} for a conffile), one whose type differs is {@code MODIFIED "type changed"}; only files
 * with a recorded md5 are read (what {@code dpkg -V} does); a conffile without a recorded md5
 * ({@code newconffile}) is {@code MODIFIED "config changed"};</li>
 * <li>an owned directory is not a change itself; its new contents are. A package path without a
 * recorded md5 that is a directory on the root is taken as an owned directory (a package's empty
 * directories, such as {@code /proc}, are listed like its symlinks).</li>
 * </ul>
 * Deletions (owned paths no longer on the root) are not reported: the baseline does not expose its
 * owned paths.
 */
public final class RootWalk {

    private static final long DIRECTORY = Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC;
    private static final long FILE = Flags.O_RDONLY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC | Flags.O_NONBLOCK;
    private static final int CHUNK = 1 << 16;

    /**
     * The diff.
     *
     * @param changes sorted by path
     * @param counts  for each directory reported as a whole, the number of paths it holds (itself included)
     */
    public record Result(List<Change> changes, Map<AbsolutePath, Long> counts) {
        /** How many paths a change stands for: 1, or a whole directory's count. */
        public long count(Change change) {
            return counts.getOrDefault(change.path(), 1L);
        }
    }

    private final Syscalls sys;
    private final PackageBaseline baseline;
    private final Filter filter;
    private final List<Change> changes = new ArrayList<>();
    private final Map<AbsolutePath, Long> counts = new HashMap<>();
    private final byte[] buffer = new byte[CHUNK];
    private final MessageDigest md5;
    private long device;
    private long mountId;

    private RootWalk(Syscalls sys, PackageBaseline baseline, Filter filter) {
        this.sys = sys;
        this.baseline = baseline;
        this.filter = filter;
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The changes on the live root at host path {@code root} against its installed packages.
     *
     * @param baseline the packages installed on that root ({@link PackageBaseline#load})
     */
    public static Result of(Syscalls sys, String root, PackageBaseline baseline, Filter filter) throws IOException {
        RootWalk walk = new RootWalk(sys, baseline, filter);
        int rootFd = sys.openat(Flags.AT_FDCWD, bytes(root), DIRECTORY, 0);
        try {
            Stat top = sys.statx(rootFd, bytes(""), Flags.AT_EMPTY_PATH);
            walk.device = top.device();
            walk.mountId = top.mountId();
            walk.walk(rootFd, AbsolutePath.ROOT);
        } finally {
            sys.close(rootFd);
        }
        walk.changes.sort(Comparator.comparing(Change::path));
        return new Result(List.copyOf(walk.changes), Map.copyOf(walk.counts));
    }

    /** True if the name is on another filesystem or is a mount point of its own. */
    private boolean elsewhere(Stat stat) {
        return stat.device() != device || stat.mountRoot() || (mountId != 0 && stat.mountId() != mountId);
    }

    /** A directory the packages own: its names are looked up one by one. */
    private void walk(int dirFd, AbsolutePath dir) throws IOException {
        for (Syscalls.DirEntry child : sys.listDirectory(dirFd)) {
            AbsolutePath path = dir.resolve(child.text());
            if (filter.excludes(path)) {
                continue;
            }
            Stat stat = stat(dirFd, child.name());
            if (stat == null || elsewhere(stat)) {
                continue;
            }
            Ownership owner = baseline.owner(path.value());
            switch (owner.kind()) {
                case NOT_OWNED -> added(dirFd, child.name(), path, stat, Change.Kind.ADDED, "added");
                case OWNED_DIRECTORY -> {
                    if (stat.isDirectory()) {
                        int childFd = openDirectory(dirFd, child.name());
                        if (childFd >= 0) {
                            try {
                                walk(childFd, path);
                            } finally {
                                sys.close(childFd);
                            }
                        }
                    } else {
                        changes.add(new Change(path, Change.Kind.MODIFIED, "type changed", size(stat), false));
                    }
                }
                case OWNED_FILE, CONFFILE -> ownedFile(dirFd, child.name(), path, stat, owner);
            }
        }
    }

    private void ownedFile(int dirFd, byte[] name, AbsolutePath path, Stat stat, Ownership owner) throws IOException {
        boolean conffile = owner.kind() == Ownership.Kind.CONFFILE;
        if (stat.isDirectory()) {
            if (!conffile && !owner.md5Known()) {
                // A directory a package lists with nothing below it (/proc, /mnt): dpkg does not say
                // "directory", so the path is a directory or a symlink, and a directory it is.
                int childFd = openDirectory(dirFd, name);
                if (childFd >= 0) {
                    try {
                        walk(childFd, path);
                    } finally {
                        sys.close(childFd);
                    }
                }
            } else {
                added(dirFd, name, path, stat, Change.Kind.MODIFIED, "type changed");
            }
            return;
        }
        if (!owner.md5Known()) {
            if (conffile) {
                changes.add(new Change(path, Change.Kind.MODIFIED, "config changed", size(stat), false));
            }
            return;  // the database records nothing to compare
        }
        if (!stat.isRegularFile()) {
            changes.add(new Change(path, Change.Kind.MODIFIED, "type changed", size(stat), false));
            return;
        }
        String live = md5(dirFd, name);
        if (live != null && !live.equals(owner.md5())) {
            changes.add(new Change(path, Change.Kind.MODIFIED, conffile ? "config changed" : "modified",
                    stat.size(), false));
        }
    }

    /** A path no package owns (or a directory where a package file was): reported with what is below it. */
    private void added(int dirFd, byte[] name, AbsolutePath path, Stat stat, Change.Kind kind, String what)
            throws IOException {
        if (!stat.isDirectory()) {
            changes.add(new Change(path, kind, what, size(stat), false));
            return;
        }
        int childFd = openDirectory(dirFd, name);
        if (childFd < 0) {
            return;
        }
        try {
            List<Change> parts = new ArrayList<>();
            Tally tally = new Tally();
            tally(childFd, path, tally, parts);
            if (tally.whole) {
                changes.add(new Change(path, kind, what, tally.bytes, true));
                counts.put(path, tally.paths + 1);
            } else {
                changes.add(new Change(path, kind, what, 0, true));
                changes.addAll(parts);
            }
        } finally {
            sys.close(childFd);
        }
    }

    private static final class Tally {
        long bytes;
        long paths;
        boolean whole = true;
    }

    /**
     * Sums an unowned directory's contents into {@code tally}; {@code parts} receives the changes that
     * describe them one level at a time (each subdirectory as a whole where nothing below it is left
     * out), used only when something below is left out by the filter.
     */
    private void tally(int dirFd, AbsolutePath dir, Tally tally, List<Change> parts) throws IOException {
        for (Syscalls.DirEntry child : sys.listDirectory(dirFd)) {
            AbsolutePath path = dir.resolve(child.text());
            if (filter.excludes(path)) {
                tally.whole = false;
                continue;
            }
            Stat stat = stat(dirFd, child.name());
            if (stat == null || elsewhere(stat)) {
                continue;
            }
            if (!stat.isDirectory()) {
                tally.bytes += size(stat);
                tally.paths++;
                parts.add(new Change(path, Change.Kind.ADDED, "added", size(stat), false));
                continue;
            }
            int childFd = openDirectory(dirFd, child.name());
            if (childFd < 0) {
                continue;
            }
            try {
                Tally sub = new Tally();
                List<Change> subParts = new ArrayList<>();
                tally(childFd, path, sub, subParts);
                tally.bytes += sub.bytes;
                tally.paths += sub.paths + 1;
                if (sub.whole) {
                    parts.add(new Change(path, Change.Kind.ADDED, "added", sub.bytes, true));
                    counts.put(path, sub.paths + 1);
                } else {
                    tally.whole = false;
                    parts.add(new Change(path, Change.Kind.ADDED, "added", 0, true));
                    parts.addAll(subParts);
                }
            } finally {
                sys.close(childFd);
            }
        }
        if (tally.whole) {
            // Only the directory as a whole is reported: its subdirectories' counts are not needed.
            for (Change part : parts) {
                if (part.directory()) {
                    counts.remove(part.path());
                }
            }
            parts.clear();
        }
    }

    private static long size(Stat stat) {
        return stat.isRegularFile() || stat.isSymlink() ? stat.size() : 0;
    }

    /** statx without following; null if the name vanished meanwhile. */
    private Stat stat(int dirFd, byte[] name) throws ErrnoException {
        try {
            return sys.statx(dirFd, name, 0);
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT)) {
                return null;
            }
            throw e;
        }
    }

    /** The directory's descriptor, or -1 if it vanished or was replaced by something else meanwhile. */
    private int openDirectory(int dirFd, byte[] name) throws ErrnoException {
        try {
            return sys.openat(dirFd, name, DIRECTORY, 0);
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT) || e.is(Errno.ENOTDIR) || e.is(Errno.ELOOP)) {
                return -1;
            }
            throw e;
        }
    }

    /** Lowercase hex MD5 of a regular file read through a descriptor; null if it vanished. */
    private String md5(int dirFd, byte[] name) throws ErrnoException {
        int fd;
        try {
            fd = sys.openat(dirFd, name, FILE, 0);
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT) || e.is(Errno.ELOOP)) {
                return null;
            }
            throw e;
        }
        try {
            md5.reset();
            long offset = 0;
            while (true) {
                int n = sys.pread(fd, buffer, buffer.length, offset);
                if (n <= 0) {
                    break;
                }
                md5.update(buffer, 0, n);
                offset += n;
            }
            return HexFormat.of().formatHex(md5.digest());
        } finally {
            sys.close(fd);
        }
    }
}
