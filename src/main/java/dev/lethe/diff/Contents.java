package dev.lethe.diff;

import dev.lethe.linux.FileType;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import java.io.IOException;
import java.util.Arrays;

/** Whether two directory entries of the same name and type hold the same content, read through descriptors. */
final class Contents {

    private static final long FILE = Flags.O_RDONLY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC | Flags.O_NONBLOCK;
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
        int fdA = sys.openat(dirA, name, FILE, 0);
        try {
            int fdB = sys.openat(dirB, name, FILE, 0);
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
