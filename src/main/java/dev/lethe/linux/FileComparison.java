package dev.lethe.linux;

import dev.lethe.model.AbsolutePath;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;

/**
 * Byte-for-byte comparison of two open regular files, in chunks read with {@code pread}: the one
 * routine behind apply's "same file on both sides", the diff's "modified" and the verifier's
 * "content differs at byte N". A hash would add nothing when both sides are read anyway.
 */
public final class FileComparison {
    /** Enough for most files in one read each, small enough to keep per walk. */
    public static final int CHUNK = 1 << 16;

    private final Syscalls sys;
    private final byte[] a;
    private final byte[] b;

    /** One per thread of work: the two buffers are reused from call to call. */
    public FileComparison(Syscalls sys) {
        this(sys, CHUNK);
    }

    /** @param chunk bytes read per call from each file (a verifier of large copies reads more at once) */
    public FileComparison(Syscalls sys, int chunk) {
        this.sys = sys;
        this.a = new byte[chunk];
        this.b = new byte[chunk];
    }

    /**
     * The offset of the first byte that differs within the first {@code length} bytes of the files
     * open as {@code fdA} and {@code fdB}, or -1 if those bytes are equal.
     *
     * @throws EOFException if either file ends before {@code length} bytes: it changed since it was measured
     */
    public long firstDifference(int fdA, int fdB, long length) throws ErrnoException, EOFException {
        for (long offset = 0; offset < length; ) {
            int wanted = (int) Math.min(a.length, length - offset);
            int n = readFully(sys, fdA, a, wanted, offset);
            int m = readFully(sys, fdB, b, wanted, offset);
            if (n != wanted || m != wanted) {
                throw new EOFException("a file ended at byte " + (offset + Math.min(n, m)) + " of the " + length
                        + " it had when measured");
            }
            int mismatch = Arrays.mismatch(a, 0, wanted, b, 0, wanted);
            if (mismatch >= 0) {
                return offset + mismatch;
            }
            offset += wanted;
        }
        return -1;
    }

    /** True if both files hold exactly {@code length} bytes and the same ones; false if either changed meanwhile. */
    public boolean same(int fdA, int fdB, long length) throws ErrnoException {
        try {
            return firstDifference(fdA, fdB, length) < 0 && readFully(sys, fdA, a, 1, length) == 0
                    && readFully(sys, fdB, b, 1, length) == 0;
        } catch (EOFException e) {
            return false;
        }
    }

    /**
     * True if the regular files at {@code a} and {@code b} hold the same bytes; false if either
     * cannot be opened safely or read (an unreadable file is never "the same" as another).
     */
    public static boolean sameFiles(Fs fs, AbsolutePath a, AbsolutePath b) {
        long flags = Flags.O_RDONLY | Flags.O_NONBLOCK | Flags.O_NOCTTY;
        try (Fs.Fd x = fs.open(a, flags); Fs.Fd y = fs.open(b, flags)) {
            Stat stat = fs.syscalls().statx(x.value(), EMPTY_PATH, Flags.AT_EMPTY_PATH);
            return stat.isRegularFile() && new FileComparison(fs.syscalls()).same(x.value(), y.value(), stat.size());
        } catch (IOException e) {
            return false;
        }
    }

    private static final byte[] EMPTY_PATH = new byte[0];

    /**
     * Reads into {@code buf} from its start until {@code length} bytes are there or the file ends;
     * returns how many were read. Short reads continue at the buffer offset: no scratch copy.
     */
    public static int readFully(Syscalls sys, int fd, byte[] buf, int length, long offset) throws ErrnoException {
        int total = 0;
        while (total < length) {
            int n = sys.pread(fd, buf, total, length - total, offset + total);
            if (n <= 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
