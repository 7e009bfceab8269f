package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Machine;
import dev.lethe.testing.Machine.Disk;
import dev.lethe.testing.Sh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wipe's own safety rules, apart from any one strategy. */
class WipeSafetyTest {

    @Test
    void scratchCleanupRemovesEmptyDirectoriesAndNeverAFile(@TempDir Path temp) throws IOException {
        Path scratch = Files.createDirectories(temp.resolve("scratch"));
        Files.createDirectories(scratch.resolve("empty-mount-point"));
        Path leftover = Files.createDirectories(scratch.resolve("still-mounted"));
        Files.writeString(leftover.resolve("thesis.tex"), "a store's file under a mount that failed to go");
        RootSession.removeEmptyScratch(scratch);
        assertThat(scratch.resolve("empty-mount-point")).doesNotExist();
        assertThat(leftover.resolve("thesis.tex")).hasContent("a store's file under a mount that failed to go");
        assertThat(scratch).exists();
    }

    @Test
    void aBootThatFailsLeavesNoMarkEvenIfAnEarlierBootLeftOne() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log"]
                    """);
            assertThat(m.lethe("apply", "--boot", "system").exit()).isZero();
            assertThat(m.at("/.lethe-activated")).exists();
            // The root was not wiped (the wipe failed); this boot's store is missing.
            Sh.run("umount", "-R", m.at("/persist").toString());
            Sh.run("umount", "-R", m.at("/var/log").toString());
            assertThat(m.lethe("apply", "--boot", "system").exit()).isEqualTo(ExitCode.ENTRIES_FAILED);
            assertThat(m.at("/.lethe-activated")).as("a failed boot's root must be archived degraded").doesNotExist();
        }
    }

    @Test
    void theFirstOverlayWipeWorksFromTheCommandLine() throws Exception {
        try (Machine m = new Machine(Disk.EXT4)) {
            Path image = m.scratch.resolve("overlay.img");
            Sh.run("truncate", "-s", "64M", image.toString());
            Sh.run("mkfs.ext4", "-q", "-F", image.toString());
            Files.createDirectories(m.at("/overlay"));
            Sh.run("mount", "-o", "loop", image.toString(), m.at("/overlay").toString());
            m.config("""
                    [root]
                    strategy = "overlay"
                    upper = "/overlay"
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log"]
                    """);
            Machine.Run dryRun = m.lethe("wipe", "--dry-run");
            assertThat(dryRun.exit()).as(dryRun.all()).isZero();
            Machine.Run wipe = m.lethe("wipe");
            assertThat(wipe.exit()).as(wipe.all()).isZero();
            assertThat(wipe.err()).doesNotContain("DEGRADED");
            assertThat(Files.isSymbolicLink(m.at("/overlay/current"))).isTrue();
            assertThat(m.lethe("archive", "list").out()).contains("No archives");
        }
    }
}
