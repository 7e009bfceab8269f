package dev.lethe.linux.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Flags;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two emptiness checks of the port, on a real directory: the one for a descriptor just opened
 * answers as the rewinding one does, and it really makes no rewind (the lseek it saves), which is
 * why a descriptor read before must be checked with the rewinding one.
 */
class EmptinessCheckTest {

    private final FfmSyscalls sys = new FfmSyscalls();

    @TempDir
    Path dir;

    private Descriptor opened() throws Exception {
        return sys.open(Flags.AT_FDCWD, dir.toString().getBytes(StandardCharsets.UTF_8),
                Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
    }

    @Test
    void aFreshDescriptorAnswersAsTheRewindingCheck() throws Exception {
        try (Descriptor empty = opened(); Descriptor again = opened()) {
            assertThat(sys.hasEntriesJustOpened(empty.value())).isFalse();
            assertThat(sys.hasEntries(again.value())).isFalse();
        }
        Files.writeString(dir.resolve("data"), "x");
        try (Descriptor full = opened(); Descriptor again = opened()) {
            assertThat(sys.hasEntriesJustOpened(full.value())).isTrue();
            assertThat(sys.hasEntries(again.value())).isTrue();
        }
    }

    @Test
    void onlyTheRewindingCheckSeesEntriesThroughADescriptorReadToTheEnd() throws Exception {
        Files.writeString(dir.resolve("data"), "x");
        try (Descriptor read = opened()) {
            assertThat(sys.listDirectory(read.value())).hasSize(1);  // leaves the offset at the end
            assertThat(sys.hasEntriesJustOpened(read.value())).as("no rewind: reads on from the end").isFalse();
            assertThat(sys.hasEntries(read.value())).as("rewinds first").isTrue();
        }
    }
}
