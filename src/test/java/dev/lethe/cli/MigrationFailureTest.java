package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Machine;
import dev.lethe.testing.Machine.Disk;
import dev.lethe.testing.Sh;
import dev.lethe.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Migrations that fail or meet unusual paths: the store stays usable and nothing is lost. */
class MigrationFailureTest {

    @Test
    void aCopyThatRunsOutOfSpaceIsDiscardedSoTheStoreStaysUsable() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/lib/big", "/var/lib/small"]
                    """);
            Trees.generate(m.at("/var/lib/big"), 120, 5);  // about 1.5 MB, some files of 200 kB
            Files.write(m.at("/var/lib/big/huge"), new byte[3 << 20]);
            m.write("/var/lib/small/state", "small\n");
            Map<String, String> big = Trees.manifest(m.at("/var/lib/big"));
            Sh.run("mount", "-o", "remount,size=2m", m.disk.toString());

            Machine.Run run = m.lethe("apply");

            assertThat(run.exit()).as(run.all()).isEqualTo(1);
            assertThat(run.err()).contains("/var/lib/big").contains("ENOSPC");
            assertThat(Trees.manifest(m.at("/var/lib/big"))).as("the original, untouched").isEqualTo(big);
            assertThat(entries(m.disk.resolve(".lethe/staging"))).as("the partial copy is discarded").isZero();
            assertThat(m.mountsBelowRoot()).as("the other entry of the store goes on").contains("/var/lib/small")
                    .doesNotContain("/var/lib/big");
            assertThat(m.read("/var/lib/small/state")).isEqualTo("small\n");
        }
    }

    static long entries(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        try (Stream<Path> children = Files.list(directory)) {
            return children.count();
        }
    }
}
