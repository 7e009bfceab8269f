package dev.lethe.diff;

import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.FileType;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Whether two directory entries of the same name and type hold the same content, read through descriptors. */
final class Contents {

    private static final long FILE = Flags.O_RDONLY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC | Flags.O_NONBLOCK;
    /** Reading must not write: no access time for the files compared (root may ask this of any file). */
    private static final long NO_ATIME = Flags.O_NOATIME;
    private static final int CHUNK = 1 << 16;

    private final Syscalls sys;
    private final byte[] left = new byte[CHUNK];
    private final byte[] right = new byte[CHUNK];

    Contents(Syscalls sys) {
        this.sys = sys;
    }

    /**
     * True if {@code name} in {@code dirA} (examined as {@code a}) and in {@code dirB} (as {@code b}),
     * both of one type, hold the same bytes: a symbolic link's target, a device's number, a file's data.
     */
    boolean same(int dirA, int dirB, byte[] name, Stat a, Stat b) throws IOException {
        if (a.isSymlink()) {
            return Arrays.equals(sys.readlinkat(dirA, name), sys.readlinkat(dirB, name));
        }
        if (a.type() == FileType.S_IFCHR || a.type() == FileType.S_IFBLK) {
            return a.rdev() == b.rdev();
        }
        if (!a.isRegularFile()) {
            return true;  // fifos and sockets have no content
        }
        if (a.size() != b.size()) {
            return false;
        }
        int fdA = openForReading(sys, dirA, name);
        try {
            int fdB = openForReading(sys, dirB, name);
            try {
                long offset = 0;
                while (true) {
                    int n = readFully(fdA, left, offset);
                    int m = readFully(fdB, right, offset);
                    if (n != m || !Arrays.equals(left, 0, n, right, 0, m)) {
                        return false;
                    }
                    if (n < CHUNK) {
                        return true;
                    }
                    offset += n;
                }
            } finally {
                sys.close(fdB);
            }
        } finally {
            sys.close(fdA);
        }
    }

    /**
     * True if {@code name} in both directories carries the same extended attributes (file
     * capabilities, ACLs, security labels): names and values. Only regular files and directories
     * are opened for it; for other types (a device must not be opened) it answers true.
     */
    boolean sameAttributes(int dirA, int dirB, byte[] name, Stat a) throws IOException {
        if (!a.isRegularFile() && !a.isDirectory()) {
            return true;
        }
        int fdA = openForReading(sys, dirA, name);
        try {
            int fdB = openForReading(sys, dirB, name);
            try {
                List<byte[]> namesA = attributeNames(fdA);
                List<byte[]> namesB = attributeNames(fdB);
                if (namesA.size() != namesB.size()) {
                    return false;
                }
                for (int i = 0; i < namesA.size(); i++) {
                    if (!Arrays.equals(namesA.get(i), namesB.get(i))
                            || !Arrays.equals(sys.fgetxattr(fdA, namesA.get(i)), sys.fgetxattr(fdB, namesB.get(i)))) {
                        return false;
                    }
                }
                return true;
            } finally {
                sys.close(fdB);
            }
        } finally {
            sys.close(fdA);
        }
    }

    /** The attribute names, sorted; none where the filesystem has no extended attributes (zfs-fuse). */
    private List<byte[]> attributeNames(int fd) throws ErrnoException {
        List<byte[]> names;
        try {
            names = new ArrayList<>(sys.flistxattr(fd));
        } catch (ErrnoException e) {
            if (e.is(Errno.EOPNOTSUPP)) {
                return List.of();
            }
            throw e;
        }
        names.sort(Arrays::compare);
        return names;
    }

    /**
     * A file opened for reading without following a link and without touching its access time
     * (reading must not write); without O_NOATIME where it is refused (EPERM: not the owner, no
     * CAP_FOWNER). Every diff reads files through this.
     */
    static int openForReading(Syscalls sys, int dir, byte[] name) throws ErrnoException {
        try {
            return sys.openat(dir, name, FILE | NO_ATIME, 0);
        } catch (ErrnoException e) {
            if (!e.is(Errno.EPERM)) {
                throw e;
            }
            return sys.openat(dir, name, FILE, 0);
        }
    }

    /** Reads until the buffer is full or the file ends; the number of bytes read. */
    private int readFully(int fd, byte[] buf, long offset) throws IOException {
        int total = 0;
        while (total < buf.length) {
            byte[] part = total == 0 ? buf : new byte[buf.length - total];
            int n = sys.pread(fd, part, part.length, offset + total);
            if (n <= 0) {
                break;
            }
            if (part != buf) {
                System.arraycopy(part, 0, buf, total, n);
            }
            total += n;
        }
        return total;
    }
}
