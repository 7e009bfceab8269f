package dev.lethe.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.linux.ffm.FfmSyscalls;
import dev.lethe.model.AbsolutePath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fs.readFile reads a file whole, whatever size it tells: exact, in several reads, or none (/proc). */
class ReadFileTest {

    @TempDir
    Path dir;

    private final Syscalls sys = new FfmSyscalls();

    private byte[] read(String name) throws Exception {
        try (Fs fs = Fs.open(sys, dir.toString())) {
            return fs.readFile(AbsolutePath.of("/" + name));
        }
    }

    @Test
    void anEmptyFileIsReadAsNoBytes() throws Exception {
        Files.write(dir.resolve("empty"), new byte[0]);
        assertThat(read("empty")).isEmpty();
    }

    @Test
    void aFileOfManyReadsIsReadWholeAndExactly() throws Exception {
        for (int size : new int[] {1, 65_535, 65_536, 65_537, 200_003}) {
            byte[] content = new byte[size];
            new Random(size).nextBytes(content);
            Files.write(dir.resolve("f" + size), content);
            assertThat(read("f" + size)).as("%d bytes", size).isEqualTo(content);
        }
    }

    @Test
    void aFileThatTellsNoSizeIsReadToItsEnd() throws Exception {
        // /proc files stat as empty and read as text: the read must not stop at the size they tell.
        Path proc = Path.of("/proc/self/status");
        try (Fs fs = Fs.open(sys, "/proc/self")) {
            String text = new String(fs.readFile(AbsolutePath.of("/status")), StandardCharsets.UTF_8);
            assertThat(Files.size(proc)).isZero();
            assertThat(text).startsWith("Name:").contains("\nPid:");
        }
    }

    @Test
    void aFileThatTellsNoSizeIsReadPastSeveralGrowths() throws Exception {
        // This JVM's memory map: hundreds of lines, tens of kilobytes, in a file that stats as empty.
        try (Fs fs = Fs.open(sys, "/proc/self")) {
            String text = new String(fs.readFile(AbsolutePath.of("/maps")), StandardCharsets.UTF_8);
            assertThat(text.length()).isGreaterThan(4 * 4096);
            assertThat(text).endsWith("\n").contains("[stack]");
            assertThat(text.lines()).allMatch(line -> line.matches("[0-9a-f]+-[0-9a-f]+ [-rwxsp]{4} .*"));
        }
    }
}
