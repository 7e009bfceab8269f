package dev.lethe.exec;

import dev.lethe.linux.Flags;
import dev.lethe.linux.Fs;
import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.util.Arrays;

/** Byte-for-byte comparison of two regular files, read through safe descriptors. */
final class Contents {
    private Contents() {}

    /** True if both regular files have the same bytes; false if either cannot be read. */
    static boolean same(Fs fs, AbsolutePath a, AbsolutePath b) {
        try (Fs.Fd x = fs.open(a, Flags.O_RDONLY | Flags.O_NONBLOCK | Flags.O_NOCTTY);
             Fs.Fd y = fs.open(b, Flags.O_RDONLY | Flags.O_NONBLOCK | Flags.O_NOCTTY)) {
            byte[] bufX = new byte[64 * 1024];
            byte[] bufY = new byte[64 * 1024];
            for (long offset = 0; ; offset += bufX.length) {
                int n = readChunk(fs, x.value(), bufX, offset);
                int m = readChunk(fs, y.value(), bufY, offset);
                if (n != m || !Arrays.equals(bufX, 0, n, bufY, 0, m)) {
                    return false;
                }
                if (n < bufX.length) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
    }

    /** Fills {@code buf} from {@code offset} unless the file ends first; returns how much was read. */
    private static int readChunk(Fs fs, int fd, byte[] buf, long offset) throws IOException {
        int total = 0;
        byte[] chunk = new byte[buf.length];
        while (total < buf.length) {
            int n = fs.syscalls().pread(fd, chunk, buf.length - total, offset + total);
            if (n == 0) {
                break;
            }
            System.arraycopy(chunk, 0, buf, total, n);
            total += n;
        }
        return total;
    }
}
