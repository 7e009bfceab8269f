package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Machine;
import dev.lethe.testing.Machine.Disk;
import dev.lethe.testing.Trees;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** lethe orphans: what a store keeps that no entry names, reported and never touched. */
class OrphansCommandTest {

    @Test
    void dataOfARemovedEntryIsListedWithItsSizeAndNeverTouched() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log", "/var/lib/app"]
                    """);
            assertThat(m.lethe("apply").exit()).isZero();
            assertThat(m.lethe("orphans").out()).contains("No orphans");
            m.write("/var/lib/app/db", "x".repeat(5000));
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log"]
                    """);
            assertThat(m.lethe("apply").exit()).isZero();
            Map<String, String> store = Trees.manifest(m.disk);

            Machine.Run text = m.lethe("orphans");
            assertThat(text.exit()).isZero();
            assertThat(text.out()).contains("/persist/var/lib/app").containsPattern("/persist/var/lib/app +/var/lib/app\n")
                    .contains("4.9 KiB");
            assertThat(text.out()).doesNotContain("/persist/var/log ").doesNotContain(".lethe");
            Machine.Run json = m.lethe("orphans", "--json");
            assertThat(json.out()).contains("\"path\" : \"/persist/var/lib/app\"").contains("\"bytes\" : 5000")
                    .contains("\"files\" : 1");
            assertThat(Trees.manifest(m.disk)).as("orphans changes nothing").isEqualTo(store);
            assertThat(Files.readString(m.disk.resolve("var/lib/app/db"))).hasSize(5000);
        }
    }

    @Test
    void aRemovedEntryIsNamedByItsOwnPathNotByWhatItHolds() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log", "/var/lib/app"]
                    """);
            m.write("/var/lib/app/db/data", "x".repeat(100));
            assertThat(m.lethe("apply").exit()).isZero();
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log"]
                    """);
            assertThat(m.lethe("apply").exit()).isZero();
            // Stray data put in the store by hand is still named by its narrowest directory.
            Files.createDirectories(m.disk.resolve("srv/stray/only"));
            Files.writeString(m.disk.resolve("srv/stray/only/f"), "y");

            Machine.Run text = m.lethe("orphans");
            assertThat(text.out()).containsPattern("/persist/var/lib/app +/var/lib/app\n")
                    .doesNotContain("/var/lib/app/db").containsPattern("/persist/srv/stray/only +/srv/stray/only\n");
            assertThat(m.lethe("orphans", "--json").out()).contains("\"was\" : \"/var/lib/app\"");
        }
    }

    @Test
    void aRemovedEntryThatHoldsANewOneIsNotNamedWhole() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/lib"]
                    """);
            m.write("/var/lib/app/state", "s");
            m.write("/var/lib/other/data", "o");
            assertThat(m.lethe("apply").exit()).isZero();
            // Narrowed to the one directory that matters: /var/lib leaves, /var/lib/app stays.
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/lib/app"]
                    """);
            Machine.Run text = m.lethe("orphans");
            assertThat(text.out()).as(text.all()).contains("/persist/var/lib/other ").doesNotContain("/persist/var/lib ");
        }
    }

    @Test
    void theFilesystemsLostAndFoundAtTheStoresTopIsNoOrphan() throws Exception {
        try (Machine m = new Machine(Disk.EXT4)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log"]
                    """);
            assertThat(m.lethe("apply").exit()).isZero();
            assertThat(m.disk.resolve("lost+found")).isDirectory();
            assertThat(m.lethe("orphans").out()).contains("No orphans").doesNotContain("lost+found");
            assertThat(m.lethe("status").out()).doesNotContain("lost+found");
        }
    }
}
