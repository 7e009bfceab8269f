package dev.lethe.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.config.Config;
import dev.lethe.config.ConfigLoader;
import dev.lethe.linux.Fs;
import dev.lethe.linux.ffm.FfmSyscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.testing.Machine;
import dev.lethe.testing.Machine.Disk;
import dev.lethe.testing.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Restoring from an opened archive (here a plain directory standing for one) into the store. */
class RestoreTest {

    @Test
    void aFileIsRestoredThroughStagingAndADirectoryWithWhiteoutsIsRefused() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/lib/app"]
                    """);
            assertThat(m.lethe("apply").exit()).isZero();
            Path archive = m.scratch.resolve("archive");
            Path old = Files.createDirectories(archive.resolve("var/lib/app/sub"));
            Files.writeString(old.resolve("settings"), "took an hour");
            Sh.run("mknod", old.resolve("deleted").toString(), "c", "0", "0");  // an overlay whiteout

            Config config = ConfigLoader.load(m.config, m.root);
            Entry entry = config.entries().getFirst();
            try (Fs fs = Fs.open(new FfmSyscalls(), m.root.toString())) {
                assertThatThrownBy(() -> Restore.restore(fs, archive, entry, AbsolutePath.of("/var/lib/app/sub")))
                        .hasMessageContaining("whiteout");
                assertThat(m.disk.resolve("var/lib/app/sub")).doesNotExist();

                Files.createDirectories(m.disk.resolve("var/lib/app/sub"));
                AbsolutePath restored = Restore.restore(fs, archive, entry, AbsolutePath.of("/var/lib/app/sub/settings"));
                assertThat(restored).isEqualTo(AbsolutePath.of("/persist/var/lib/app/sub/settings"));
            }
            assertThat(m.read("/var/lib/app/sub/settings")).isEqualTo("took an hour");
            try (var staged = Files.list(m.disk.resolve(".lethe/staging"))) {
                assertThat(staged).as("nothing left in staging").isEmpty();
            }
        }
    }
}
