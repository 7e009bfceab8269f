package dev.lethe.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.linux.ffm.FfmSyscalls;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DescriptorTest {

    private static final long DIRECTORY = Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC;

    /** A second close must not close whatever descriptor reused the number meanwhile. */
    @Test
    void closingTwiceClosesOnce(@TempDir Path dir) throws Exception {
        Syscalls sys = new FfmSyscalls();
        Descriptor first = sys.open(Flags.AT_FDCWD, Syscalls.bytes(dir.toString()), DIRECTORY, 0);
        first.close();
        try (Descriptor second = sys.open(Flags.AT_FDCWD, Syscalls.bytes(dir.toString()), DIRECTORY, 0)) {
            first.close();
            assertThat(sys.statx(second.value(), new byte[0], Flags.AT_EMPTY_PATH).isDirectory()).isTrue();
        }
    }
}
