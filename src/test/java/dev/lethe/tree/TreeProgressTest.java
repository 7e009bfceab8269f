package dev.lethe.tree;

import static dev.lethe.linux.Syscalls.bytes;
import static dev.lethe.tree.Scratch.SYS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.model.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the copier and the verifier tell of their progress: every entry, every byte, a hard link's data once. */
class TreeProgressTest {

    private Scratch scratch;

    /** Sums what it is told, and keeps each advance to see the data come in pieces. */
    private static final class Counted implements Progress {
        long files;
        long bytes;
        final List<Long> advances = new ArrayList<>();

        @Override
        public void begin(String phase, long files, long bytes) {}

        @Override
        public void advance(long files, long bytes) {
            this.files += files;
            this.bytes += bytes;
            advances.add(bytes);
        }

        @Override
        public void end() {}
    }

    @BeforeEach
    void createScratch() throws IOException {
        scratch = Scratch.create();
    }

    @AfterEach
    void removeScratch() {
        scratch.close();
    }

    @Test
    void everyEntryAndEveryByteIsCountedAndAHardLinkIsCopiedOnce() throws IOException {
        Path src = scratch.path("src");
        Files.createDirectories(src.resolve("sub"));
        Files.write(src.resolve("big"), new byte[3 << 20]);  // three buffers of the copier
        Files.write(src.resolve("sub/small"), new byte[1000]);
        Files.createLink(src.resolve("sub/link"), src.resolve("sub/small"));
        Files.createSymbolicLink(src.resolve("symlink"), Path.of("big"));
        Counted copying = new Counted();
        Counted verifying = new Counted();
        try (Scratch.Fd dir = scratch.openPath(scratch.dir)) {
            new TreeCopier(SYS, copying).copy(dir.value(), bytes("src"), dir.value(), bytes("dst"));
            TreeVerifier.verify(SYS, dir.value(), bytes("src"), dir.value(), bytes("dst"), verifying);
        }
        // src, sub, big, small, link, symlink
        assertThat(copying.files).isEqualTo(6);
        assertThat(copying.bytes).as("the linked file's data written once").isEqualTo((3 << 20) + 1000);
        assertThat(copying.advances).as("the big file in buffer-sized pieces").containsSubsequence(1L << 20, 1L << 20, 1L << 20);
        assertThat(verifying.files).isEqualTo(6);
        assertThat(verifying.bytes).as("each name's content compared").isEqualTo((3 << 20) + 2000);
    }
}
