package dev.lethe.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.linux.ffm.FfmSyscalls;
import java.io.EOFException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one file comparison, and pread into the middle of a buffer, on real files. */
class FileComparisonTest {

    @TempDir
    Path dir;

    private final Syscalls sys = new FfmSyscalls();

    private Descriptor open(String name, byte[] content) throws Exception {
        Files.write(dir.resolve(name), content);
        return sys.open(Flags.AT_FDCWD, Syscalls.bytes(dir.resolve(name).toString()), Flags.O_RDONLY | Flags.O_CLOEXEC, 0);
    }

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + i / 251);
        }
        return bytes;
    }

    @Test
    void preadFillsTheBufferFromTheOffsetGivenAndNothingElse() throws Exception {
        try (Descriptor fd = open("f", "abcdefgh".getBytes())) {
            byte[] buf = "..........".getBytes();
            assertThat(sys.pread(fd.value(), buf, 5, 3, 2)).isEqualTo(3);
            assertThat(new String(buf)).isEqualTo(".....cde..");
            assertThatThrownBy(() -> sys.pread(fd.value(), buf, 8, 3, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void shortReadsAreContinuedInPlace() throws Exception {
        // A port that never returns more than 7 bytes a call, as a pipe or a slow filesystem may.
        Syscalls stingy = (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(), new Class<?>[] {Syscalls.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("pread") && args.length == 5) {
                        args[3] = Math.min((Integer) args[3], 7);
                    }
                    try {
                        return method.isDefault() ? java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args)
                                : method.invoke(sys, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        byte[] content = pattern(100);
        try (Descriptor fd = open("f", content)) {
            byte[] buf = new byte[64];
            assertThat(FileComparison.readFully(stingy, fd.value(), buf, 64, 30)).isEqualTo(64);
            assertThat(buf).isEqualTo(Arrays.copyOfRange(content, 30, 94));
            assertThat(FileComparison.readFully(stingy, fd.value(), buf, 64, 90)).as("the end").isEqualTo(10);
        }
    }

    @Test
    void theFirstDifferenceIsFoundAcrossChunks() throws Exception {
        byte[] a = pattern(300_000);
        byte[] b = a.clone();
        b[200_001] ^= 1;
        FileComparison comparison = new FileComparison(sys);
        try (Descriptor x = open("a", a); Descriptor y = open("b", b); Descriptor z = open("c", a.clone())) {
            assertThat(comparison.firstDifference(x.value(), y.value(), a.length)).isEqualTo(200_001);
            assertThat(comparison.firstDifference(x.value(), z.value(), a.length)).isEqualTo(-1);
            assertThat(comparison.same(x.value(), z.value(), a.length)).isTrue();
            assertThat(comparison.same(x.value(), y.value(), a.length)).isFalse();
        }
    }

    @Test
    void aFileShorterOrLongerThanMeasuredIsNotTheSame() throws Exception {
        byte[] a = pattern(1000);
        FileComparison comparison = new FileComparison(sys, 256);
        try (Descriptor x = open("a", a); Descriptor shorter = open("s", Arrays.copyOf(a, 999));
             Descriptor longer = open("l", Arrays.copyOf(a, 1001))) {
            assertThatThrownBy(() -> comparison.firstDifference(x.value(), shorter.value(), a.length))
                    .isInstanceOf(EOFException.class).hasMessageContaining("ended at byte 999 of the 1000");
            assertThat(comparison.same(x.value(), shorter.value(), a.length)).isFalse();
            assertThat(comparison.firstDifference(x.value(), longer.value(), a.length)).as("within the length").isEqualTo(-1);
            assertThat(comparison.same(x.value(), longer.value(), a.length)).as("but it goes on").isFalse();
        }
    }
}
