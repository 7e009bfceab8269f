package dev.lethe.tree;

import static dev.lethe.tree.TreeAccess.EMPTY_PATH;
import static dev.lethe.tree.TreeAccess.at;
import static dev.lethe.tree.TreeAccess.run;

import dev.lethe.tree.TreeAccess.InodeKey;
import dev.lethe.tree.TreeAccess.Opened;
import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.FileType;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.Progress;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;

/**
 * Copies a file, symlink, special file or whole directory tree to a new name, possibly on another
 * filesystem, preserving everything {@link TreeVerifier} checks: content (holes stay holes), owner,
 * group, mode with setuid/setgid/sticky, extended attributes and ACLs, access and modification
 * times, symlink targets, device numbers, and hard links within the tree.
 *
 * <p>Safety: every entry is reached by name from an open directory, never following a symlink
 * (see {@link TreeAccess}); the destination must not exist and everything is created exclusively,
 * so nothing already there is overwritten; a nested mount or subvolume in the source is refused.
 * Every file is fsynced after writing, every directory after filling, and the destination parent
 * at the end. A failed copy leaves a partial destination behind: copy to a staging name and
 * remove it with {@link TreeRemover} before retrying.
 *
 * <p>Not copied: extended attributes of symlinks, fifos, sockets and device nodes, because the
 * port reads attributes only through a descriptor, and opening a device or fifo has side effects.
 * Attributes the destination filesystem rejects (EOPNOTSUPP) are skipped; {@link TreeVerifier}
 * reports them as missing, so a migration still stops.
 */
public final class TreeCopier {

    /** Large enough that system call overhead vanishes, small enough to allocate per copy. */
    private static final int BUFFER_SIZE = 1 << 20;

    private static final byte[] ACL_ACCESS = Syscalls.bytes("system.posix_acl_access");
    private static final byte[] ACL_DEFAULT = Syscalls.bytes("system.posix_acl_default");
    /** A POSIX ACL xattr with the version-2 header and no entries: writing it removes the ACL. */
    private static final byte[] NO_ACL = {2, 0, 0, 0};

    private final Syscalls sys;
    private final Progress progress;

    /** @param progress told of every entry copied and every buffer of data written (the caller begins and ends the phase) */
    public TreeCopier(Syscalls sys, Progress progress) {
        this.sys = Objects.requireNonNull(sys, "sys");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /**
     * Copies {@code sourceName} in {@code sourceParentFd} to the new name {@code destName} in
     * {@code destParentFd}. Both descriptors may be O_PATH. Errors name the path relative to the
     * copied root ("." for the root itself).
     *
     * @throws FileAlreadyExistsException if {@code destName} exists (nothing is changed then)
     */
    public void copy(int sourceParentFd, byte[] sourceName, int destParentFd, byte[] destName) throws IOException {
        byte[] from = TreeAccess.requireName(sourceName, "source name");
        byte[] to = TreeAccess.requireName(destName, "destination name");
        new Run(new TreeAccess(sys), progress).copyRoot(sourceParentFd, from, destParentFd, to);
    }

    /** The state of one copy: its buffer and the hard links seen so far. */
    private static final class Run {
        private final TreeAccess fs;
        private final Syscalls sys;
        private final Progress progress;
        private final byte[] buffer = new byte[BUFFER_SIZE];
        /** First copied path of every multiply-linked source inode; later names become links to it. */
        private final Map<InodeKey, RelativePath> firstLinks = new HashMap<>();
        private Stat root;
        private int destRootFd = -1;
        private Stat destRoot;

        Run(TreeAccess fs, Progress progress) {
            this.fs = fs;
            this.sys = fs.sys();
            this.progress = progress;
        }

        void copyRoot(int sourceParentFd, byte[] sourceName, int destParentFd, byte[] destName) throws IOException {
            root = fs.lstat(sourceParentFd, sourceName, RelativePath.ROOT);
            try {
                copyEntry(sourceParentFd, sourceName, destParentFd, destName, RelativePath.ROOT, root);
            } catch (ErrnoException e) {
                if (e.is(Errno.EEXIST) && RelativePath.ROOT.toString().equals(e.path())) {
                    FileAlreadyExistsException exists = new FileAlreadyExistsException(RelativePath.display(destName), null,
                            "the copy destination already exists; lethe never copies over existing data");
                    exists.initCause(e);
                    throw exists;
                }
                throw e;
            }
            fs.syncDirectory(destParentFd, RelativePath.ROOT);
        }

        private void copyEntry(int srcDir, byte[] srcName, int dstDir, byte[] dstName, RelativePath path, Stat stat)
                throws IOException {
            if (!path.isRoot()) {
                TreeAccess.requireSameFilesystem(stat, root, path, "copy");
            }
            if (destRoot != null && stat.sameFileAs(destRoot)) {
                // The destination was created inside the source: its copy would contain itself, without end.
                throw new IOException(path + " is the destination of this copy; the destination must not be inside the source");
            }
            InodeKey key = !stat.isDirectory() && stat.nlink() > 1 ? InodeKey.of(stat) : null;
            if (key != null && firstLinks.containsKey(key)) {
                linkToFirst(firstLinks.get(key), dstDir, dstName, path);
                progress.advance(1, 0);
                return;
            }
            switch (stat.type()) {
                case FileType.S_IFDIR -> copyDirectory(srcDir, srcName, dstDir, dstName, path, stat);
                case FileType.S_IFREG -> copyFile(srcDir, srcName, dstDir, dstName, path, stat);
                case FileType.S_IFLNK -> copySymlink(srcDir, srcName, dstDir, dstName, path, stat);
                case FileType.S_IFIFO, FileType.S_IFCHR, FileType.S_IFBLK, FileType.S_IFSOCK ->
                        copySpecial(dstDir, dstName, path, stat);
                default -> throw new IOException(path + ": unknown file type 0" + Integer.toOctalString(stat.type()));
            }
            if (key != null) {
                firstLinks.put(key, path);
            }
            progress.advance(1, 0);
        }

        private void copyDirectory(int srcDir, byte[] srcName, int dstDir, byte[] dstName, RelativePath path, Stat stat)
                throws IOException {
            try (Opened source = fs.openDirectory(srcDir, srcName, stat, path)) {
                // Private until filled: nobody else can put anything into it or swap a name for a
                // symlink, and a default ACL set only at the end is not inherited by the copies.
                run(path, () -> sys.mkdirat(dstDir, dstName, 0700));
                try (Descriptor destFd = at(path, () -> sys.open(dstDir, dstName, TreeAccess.DIRECTORY_FLAGS, 0))) {
                    int dest = destFd.value();
                    if (path.isRoot()) {
                        destRootFd = dest;
                        destRoot = fs.fstat(dest, path);
                    }
                    for (byte[] name : fs.sortedNames(source.fd(), path)) {
                        RelativePath child = path.child(name);
                        copyEntry(source.fd(), name, dest, name, child, fs.lstat(source.fd(), name, child));
                    }
                    // Last, because creating the entries changed the directory's times.
                    applyMetadata(source.fd(), dest, source.stat(), path);
                    run(path, () -> sys.fsync(dest));
                }
            }
        }

        private void copyFile(int srcDir, byte[] srcName, int dstDir, byte[] dstName, RelativePath path, Stat stat)
                throws IOException {
            try (Opened source = fs.openRegularFile(srcDir, srcName, stat, path)) {
                try (Descriptor destFd = at(path, () -> sys.open(dstDir, dstName,
                        Flags.O_WRONLY | Flags.O_CREAT | Flags.O_EXCL | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0600))) {
                    int dest = destFd.value();
                    copyData(source.fd(), dest, source.stat().size(), path);
                    applyMetadata(source.fd(), dest, source.stat(), path);
                    run(path, () -> sys.fsync(dest));
                }
            }
        }

        /** Copies only the data ranges (SEEK_DATA / SEEK_HOLE), then sets the size: holes stay holes. */
        private void copyData(int source, int dest, long size, RelativePath path) throws IOException {
            long position = 0;
            while (position < size) {
                long dataStart = seekData(source, position, path);
                if (dataStart < 0 || dataStart >= size) {
                    break;
                }
                long dataEnd = seekHole(source, dataStart, size, path);
                if (dataEnd <= dataStart || dataEnd > size) {
                    dataEnd = size;
                }
                copyRange(source, dest, dataStart, dataEnd, size, path);
                position = dataEnd;
            }
            run(path, () -> sys.ftruncate(dest, size));
        }

        /** Next data at or after {@code position}, -1 if none; without SEEK_DATA support everything is data. */
        private long seekData(int fd, long position, RelativePath path) throws ErrnoException {
            try {
                return sys.lseek(fd, position, Flags.SEEK_DATA);
            } catch (ErrnoException e) {
                if (e.is(Errno.EINVAL) || e.is(Errno.EOPNOTSUPP)) {
                    return position;
                }
                throw e.withPath(path.toString());
            }
        }

        private long seekHole(int fd, long position, long size, RelativePath path) throws ErrnoException {
            try {
                return sys.lseek(fd, position, Flags.SEEK_HOLE);
            } catch (ErrnoException e) {
                if (e.is(Errno.EINVAL) || e.is(Errno.EOPNOTSUPP)) {
                    return size;
                }
                throw e.withPath(path.toString());
            }
        }

        private void copyRange(int source, int dest, long start, long end, long size, RelativePath path) throws IOException {
            long offset = start;
            while (offset < end) {
                int wanted = (int) Math.min(buffer.length, end - offset);
                long position = offset;
                int n = at(path, () -> sys.pread(source, buffer, wanted, position));
                if (n == 0) {
                    throw new IOException(path + ": changed while being copied (it ended at byte " + offset
                            + " of " + size + "); run again when it is quiet");
                }
                run(path, () -> sys.pwriteFully(dest, buffer, n, position));
                offset += n;
                progress.advance(0, n);
            }
        }

        private void copySymlink(int srcDir, byte[] srcName, int dstDir, byte[] dstName, RelativePath path, Stat stat)
                throws ErrnoException {
            byte[] target = at(path, () -> sys.readlinkat(srcDir, srcName));
            run(path, () -> sys.symlinkat(target, dstDir, dstName));
            run(path, () -> sys.fchownat(dstDir, dstName, stat.uid(), stat.gid(), Flags.AT_SYMLINK_NOFOLLOW));
            // A symlink's mode is always 0777 on Linux; there is nothing to chmod.
            run(path, () -> sys.utimensat(dstDir, dstName, stat.atimeSec(), stat.atimeNsec(),
                    stat.mtimeSec(), stat.mtimeNsec(), Flags.AT_SYMLINK_NOFOLLOW));
        }

        /** Fifos, sockets and device nodes: recreated with mknodat, never opened. */
        private void copySpecial(int dstDir, byte[] dstName, RelativePath path, Stat stat) throws ErrnoException {
            run(path, () -> sys.mknodat(dstDir, dstName, stat.type() | 0600, stat.rdev()));
            run(path, () -> sys.fchownat(dstDir, dstName, stat.uid(), stat.gid(), Flags.AT_SYMLINK_NOFOLLOW));
            // After chown, which clears setuid/setgid. fchmodat follows a symlink, but this name was
            // just created by mknodat inside a directory this copy made and keeps at 0700 (or in the
            // caller's destination parent), so it cannot have been swapped for one.
            run(path, () -> sys.fchmodat(dstDir, dstName, stat.permissions(), 0));
            run(path, () -> sys.utimensat(dstDir, dstName, stat.atimeSec(), stat.atimeNsec(),
                    stat.mtimeSec(), stat.mtimeNsec(), Flags.AT_SYMLINK_NOFOLLOW));
        }

        /**
         * A later name of a multiply-linked inode: link it to the copy made for the first name. Its
         * directory is reached from the copy's top in one openat2, never through a symlink nor out of the copy.
         */
        private void linkToFirst(RelativePath first, int dstDir, byte[] dstName, RelativePath path) throws IOException {
            List<byte[]> names = first.components();
            if (names.size() == 1) {
                run(path, () -> sys.linkat(destRootFd, names.getFirst(), dstDir, dstName, 0));
                return;
            }
            java.io.ByteArrayOutputStream parent = new java.io.ByteArrayOutputStream();
            for (byte[] name : names.subList(0, names.size() - 1)) {
                parent.write(name, 0, name.length);
                parent.write('/');
            }
            byte[] parentPath = parent.toByteArray();
            try (Descriptor dir = at(path, () -> sys.open2(destRootFd, parentPath, Flags.O_PATH | Flags.O_DIRECTORY
                    | Flags.O_CLOEXEC, 0, Flags.RESOLVE_NO_SYMLINKS | Flags.RESOLVE_BENEATH))) {
                run(path, () -> sys.linkat(dir.value(), names.getLast(), dstDir, dstName, 0));
            }
        }

        /**
         * Owner, extended attributes, mode and times, in that order: chown clears setuid/setgid and
         * file capabilities (security.capability), setting an access ACL rewrites the group bits,
         * and every one of these changes ctime but not the times set last.
         */
        private void applyMetadata(int source, int dest, Stat stat, RelativePath path) throws ErrnoException {
            run(path, () -> sys.fchownat(dest, EMPTY_PATH, stat.uid(), stat.gid(), Flags.AT_EMPTY_PATH));
            copyXattrs(source, dest, path);
            run(path, () -> sys.fchmod(dest, stat.permissions()));
            run(path, () -> sys.utimensat(dest, EMPTY_PATH, stat.atimeSec(), stat.atimeNsec(),
                    stat.mtimeSec(), stat.mtimeNsec(), 0));
        }

        private void copyXattrs(int source, int dest, RelativePath path) throws ErrnoException {
            SortedMap<byte[], byte[]> wanted = fs.xattrs(source, path);
            for (Map.Entry<byte[], byte[]> attribute : wanted.entrySet()) {
                try {
                    sys.fsetxattr(dest, attribute.getKey(), attribute.getValue());
                } catch (ErrnoException e) {
                    // The destination filesystem does not take this name at all; TreeVerifier reports it missing.
                    if (!e.is(Errno.EOPNOTSUPP)) {
                        throw e.withPath(path + " (attribute " + RelativePath.display(attribute.getKey()) + ")");
                    }
                }
            }
            // A new entry inherits ACLs from a default ACL of its parent. Inside the copy that cannot
            // happen (default ACLs are set after the directory is filled), but the destination
            // parent may have one; an inherited ACL the source lacks would change who may access it.
            SortedMap<byte[], byte[]> present = fs.xattrs(dest, path);
            for (byte[] acl : List.of(ACL_ACCESS, ACL_DEFAULT)) {
                if (present.containsKey(acl) && !wanted.containsKey(acl)) {
                    run(path, () -> sys.fsetxattr(dest, acl, NO_ACL));
                }
            }
        }
    }
}
