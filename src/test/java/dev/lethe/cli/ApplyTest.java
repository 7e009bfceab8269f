package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Machine;
import dev.lethe.testing.Machine.Disk;
import dev.lethe.testing.Sh;
import dev.lethe.testing.Trees;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** apply, plan and status against real mounts on a throwaway machine (root, private mount namespace). */
class ApplyTest {

    private static final String CONFIG = """
            [[store]]
            path = "/persist"
            directories = ["/var/log", { path = "/var/lib/app", mode = "0700" }]
            files = ["/etc/machine-id"]
            [store.users.alice]
            directories = ["Documents"]
            """;

    @Test
    void applyMountsEveryEntryAndASecondApplyChangesNothing() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            m.write("/etc/machine-id", "abc123\n");
            Machine.Run first = m.lethe("apply");
            assertThat(first.exit()).as(first.all()).isZero();
            assertThat(m.mountsBelowRoot()).contains("/var/log", "/var/lib/app", "/etc/machine-id", "/home/alice/Documents");

            // Writes through the targets land in the store.
            m.write("/var/log/syslog", "hello");
            assertThat(Files.readString(m.disk.resolve("var/log/syslog"))).isEqualTo("hello");
            assertThat(Files.readString(m.disk.resolve("etc/machine-id"))).isEqualTo("abc123\n");
            assertThat(Trees.describe(m.disk.resolve("var/lib/app"))).startsWith("dir 0:0 0700");
            assertThat(Trees.describe(m.disk.resolve("home/alice/Documents"))).startsWith("dir 1000:1000 0755");
            assertThat(Trees.describe(m.disk.resolve("home/alice"))).startsWith("dir 1000:1000 0700");

            Map<String, String> before = Trees.manifest(m.disk);
            Machine.Run second = m.lethe("apply");
            assertThat(second.exit()).isZero();
            assertThat(second.out()).contains("nothing to do");
            assertThat(Trees.manifest(m.disk)).isEqualTo(before);
            assertThat(m.mountsBelowRoot()).filteredOn(p -> p.equals("/var/log")).hasSize(1);

            Machine.Run plan = m.lethe("plan", "--json");
            assertThat(plan.out()).contains("\"changes\" : false");
        }
    }

    /** The initrd wipe failed (its reason in /run/lethe/wipe-failed): the machine runs on the old root, and status says so. */
    @Test
    void statusReportsAFailedInitrdWipe() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            assertThat(m.lethe("apply").exit()).isZero();
            Machine.Run healthy = m.lethe("status");
            assertThat(healthy.exit()).as(healthy.all()).isZero();
            assertThat(healthy.out()).doesNotContain("wipe-failed");

            m.write("/run/lethe/wipe-failed", "the blank subvolume @root-blank is writable; make it read-only\n");
            Machine.Run status = m.lethe("status");
            assertThat(status.exit()).as("loud: a failed wipe is not a healthy machine").isEqualTo(ExitCode.ENTRIES_FAILED);
            assertThat(status.out()).containsPattern("wipe-failed\\s+/\\s+this boot's initrd wipe FAILED \\(the blank subvolume "
                    + "@root-blank is writable; make it read-only; /run/lethe/wipe-failed\\): the machine runs on the old root");
            assertThat(m.lethe("status", "--json").out()).contains("\"state\" : \"wipe-failed\"");
        }
    }

    @Test
    void dataSurvivesAReboot() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            assertThat(m.lethe("apply").exit()).isZero();
            m.write("/var/log/syslog", "kept");
            m.write("/home/alice/Documents/notes.txt", "mine");
            m.write("/var/tmp-state", "lost");
            m.reboot();
            assertThat(Files.exists(m.at("/var/log/syslog"))).isFalse();
            Machine.Run boot = m.lethe("apply", "--boot", "system");
            assertThat(boot.exit()).as(boot.all()).isZero();
            assertThat(boot.out().strip().lines()).hasSize(1);
            assertThat(m.read("/var/log/syslog")).isEqualTo("kept");
            assertThat(m.read("/home/alice/Documents/notes.txt")).isEqualTo("mine");
            assertThat(Files.exists(m.at("/var/tmp-state"))).isFalse();
        }
    }

    @Test
    void existingDataIsMigratedByRenameOnOneFilesystem() throws Exception {
        try (Machine m = new Machine(Disk.ON_ROOT)) {
            m.config(CONFIG);
            Trees.generate(m.at("/var/log"), 300, 1);
            Sh.run("chmod", "0750", m.at("/var/log").toString());
            Map<String, String> original = Trees.manifest(m.at("/var/log"));
            Machine.Run run = m.lethe("apply");
            assertThat(run.exit()).as(run.all()).isZero();
            assertThat(run.out()).contains("migrate");
            assertThat(Trees.manifest(m.at("/persist/var/log"))).isEqualTo(original);
            assertThat(Trees.manifest(m.at("/var/log"))).isEqualTo(original);
            Sh.run("umount", m.at("/var/log").toString());
            assertThat(Files.list(m.at("/var/log")).count()).as("the original is empty under the mount").isZero();
            assertThat(Trees.describe(m.at("/var/log"))).startsWith("dir 0:0 0750");
        }
    }

    @Test
    void existingDataIsMigratedByVerifiedCopyAcrossFilesystems() throws Exception {
        try (Machine m = new Machine(Disk.EXT4)) {
            m.config(CONFIG);
            Trees.generate(m.at("/var/log"), 500, 2);
            Files.createLink(m.at("/var/log/hardlink"), m.at("/var/log/d0/e0/f0"));
            Sh.run("setfattr", "-n", "user.origin", "-v", "installer", m.at("/var/log/d0/e0/f0").toString());
            Map<String, String> original = Trees.manifest(m.at("/var/log"));
            Machine.Run run = m.lethe("apply");
            assertThat(run.exit()).as(run.all()).isZero();
            assertThat(Trees.manifest(m.disk.resolve("var/log"))).isEqualTo(original);
            assertThat(Files.getAttribute(m.disk.resolve("var/log/hardlink"), "unix:ino"))
                    .isEqualTo(Files.getAttribute(m.disk.resolve("var/log/d0/e0/f0"), "unix:ino"));
            assertThat(Sh.run("getfattr", "--absolute-names", "--only-values", "-n", "user.origin",
                    m.disk.resolve("var/log/d0/e0/f0").toString())).isEqualTo("installer");
            assertThat(Files.exists(m.disk.resolve(".lethe/migrations"))).isTrue();
            assertThat(Files.list(m.disk.resolve(".lethe/migrations")).count()).as("journal finished").isZero();
            Sh.run("umount", m.at("/var/log").toString());
            assertThat(Files.list(m.at("/var/log")).count()).isZero();
        }
    }

    @Test
    void dataOnBothSidesStopsThatEntryOnlyAndTouchesNeither() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            m.write("/var/log/root-side.log", "on the root");
            Files.createDirectories(m.disk.resolve("var/log"));
            Files.writeString(m.disk.resolve("var/log/store-side.log"), "in the store");
            Map<String, String> rootSide = Trees.manifest(m.at("/var/log"));
            Map<String, String> storeSide = Trees.manifest(m.disk.resolve("var/log"));
            Machine.Run run = m.lethe("apply");
            assertThat(run.exit()).isEqualTo(ExitCode.ENTRIES_FAILED);
            assertThat(run.err()).contains("/var/log (directory with data)").contains("/persist/var/log (directory with data)")
                    .contains("hold data");
            assertThat(Trees.manifest(m.at("/var/log"))).isEqualTo(rootSide);
            assertThat(Trees.manifest(m.disk.resolve("var/log"))).isEqualTo(storeSide);
            assertThat(m.mountsBelowRoot()).doesNotContain("/var/log").contains("/var/lib/app");
            Machine.Run status = m.lethe("status");
            assertThat(status.out()).containsPattern("conflict\\s+/var/log");
        }
    }

    @Test
    void aFileMissingEverywhereIsCapturedOnceCreatedAndSurvivesReboots() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    files = [{ path = "/etc/ssh/ssh_host_ed25519_key", mode = "0600" }]
                    """);
            Files.createDirectories(m.at("/etc/ssh"));
            assertThat(m.lethe("apply").exit()).isZero();
            assertThat(m.lethe("status").out()).containsPattern("pending\\s+/etc/ssh/ssh_host_ed25519_key");
            // Once it waits, a run that changes nothing is its one line, whatever waits; the word is said once.
            Machine.Run idle = m.lethe("apply");
            assertThat(idle.out().lines()).as(idle.all()).singleElement().satisfies(line -> assertThat(line)
                    .startsWith("lethe: 1 entry: nothing to do, 0 failed, 1 waiting to be created"));
            assertThat(idle.all()).doesNotContain("waiting  wait");
            assertThat(Files.exists(m.at("/etc/ssh/ssh_host_ed25519_key"))).as("no placeholder that would stop sshd-keygen").isFalse();

            m.write("/etc/ssh/ssh_host_ed25519_key", "KEY-1");
            Machine.Run capture = m.lethe("apply");
            assertThat(capture.exit()).as(capture.all()).isZero();
            assertThat(Files.readString(m.disk.resolve("etc/ssh/ssh_host_ed25519_key"))).isEqualTo("KEY-1");
            assertThat(Trees.describe(m.disk.resolve("etc/ssh/ssh_host_ed25519_key"))).startsWith("file 0:0 0600");

            for (int boot = 0; boot < 2; boot++) {
                m.reboot();
                Files.createDirectories(m.at("/etc/ssh"));
                assertThat(m.lethe("apply", "--boot", "system").exit()).isZero();
                assertThat(m.read("/etc/ssh/ssh_host_ed25519_key")).isEqualTo("KEY-1");
            }
        }
    }

    @Test
    void aSymlinkInAHomeNeverRedirectsLethe() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    [store.users.alice]
                    directories = [".config/app", { path = ".config/other", mode = "0777" }]
                    """);
            m.write("/etc/shadow", "secret");
            Sh.run("chmod", "0640", m.at("/etc/shadow").toString());
            // alice replaces ~/.config with a link to /etc, hoping root will chown or mount over it.
            Files.createSymbolicLink(m.at("/home/alice/.config"), Path.of("/etc"));
            Sh.run("chown", "-h", "1000:1000", m.at("/home/alice/.config").toString());
            // A relative link that stays inside the root, so following it would reach the root's /etc.
            Files.delete(m.at("/home/alice/.config"));
            Files.createSymbolicLink(m.at("/home/alice/.config"), Path.of("../../etc"));
            Map<String, String> etcBefore = Trees.manifest(m.at("/etc"));

            Machine.Run run = m.lethe("apply");

            assertThat(run.exit()).isEqualTo(ExitCode.ENTRIES_FAILED);
            assertThat(run.err()).contains("/home/alice/.config").contains("symbolic link");
            assertThat(Trees.manifest(m.at("/etc"))).as("nothing created, chowned or chmodded in /etc").isEqualTo(etcBefore);
            assertThat(m.mountsBelowRoot()).noneMatch(p -> p.startsWith("/etc"));
            assertThat(Files.isSymbolicLink(m.at("/home/alice/.config"))).isTrue();
            assertThat(m.lethe("status").out()).containsPattern("unsafe\\s+/home/alice/.config/app");
        }
    }

    @Test
    void aRemovedEntryIsUnmountedAndItsDataKeptAsAnOrphan() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            assertThat(m.lethe("apply").exit()).isZero();
            m.write("/var/lib/app/db", "precious");
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log"]
                    """);
            Machine.Run run = m.lethe("apply");
            assertThat(run.exit()).as(run.all()).isZero();
            assertThat(m.mountsBelowRoot()).contains("/var/log").doesNotContain("/var/lib/app", "/etc/machine-id");
            assertThat(Files.readString(m.disk.resolve("var/lib/app/db"))).isEqualTo("precious");
            Machine.Run status = m.lethe("status", "--json");
            assertThat(status.out()).contains("\"path\" : \"/persist/var/lib/app\"").contains("\"state\" : \"orphaned\"");
            assertThat(m.lethe("status").out()).containsPattern("active\\s+/var/log");
        }
    }

    @Test
    void wrongOwnerOrModeIsReportedThenFixed() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            assertThat(m.lethe("apply").exit()).isZero();
            Sh.run("chmod", "0755", m.disk.resolve("var/lib/app").toString());
            assertThat(m.lethe("status").out()).containsPattern("wrong-owner-mode\\s+/var/lib/app");
            assertThat(m.lethe("apply").exit()).isZero();
            assertThat(Trees.describe(m.disk.resolve("var/lib/app"))).startsWith("dir 0:0 0700");
            assertThat(m.lethe("status").out()).containsPattern("active\\s+/var/lib/app");
        }
    }

    @Test
    void aMissingStoreFailsItsEntriesWithoutCreatingIt() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/mnt/backup"
                    directories = ["/var/log"]
                    """);
            Machine.Run run = m.lethe("apply");
            assertThat(run.exit()).isEqualTo(ExitCode.ENTRIES_FAILED);
            assertThat(run.err()).contains("/mnt/backup");
            assertThat(Files.exists(m.at("/mnt/backup"))).isFalse();
            assertThat(Files.exists(m.at("/var/log"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        }
    }

    @Test
    void planChangesNothing() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            m.write("/var/log/old.log", "x");
            Map<String, String> rootBefore = Trees.manifest(m.root);
            Machine.Run plan = m.lethe("plan");
            assertThat(plan.exit()).isZero();
            assertThat(plan.out()).contains("migrate").contains("bind");
            assertThat(Trees.manifest(m.root)).isEqualTo(rootBefore);
            assertThat(m.mountsBelowRoot()).containsExactly("/persist");
        }
    }

    @Test
    void aSecondApplyWaitsForTheFirst() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            // Another process holds the lock lethe takes on the root directory.
            // It says so once it holds the lock (a fixed delay could run out first on a loaded machine).
            Process holder = new ProcessBuilder("flock", "--exclusive", m.root.toString(), "sh", "-c", "echo locked; sleep 1").start();
            assertThat(holder.inputReader().readLine()).isEqualTo("locked");
            Machine.Run run = m.lethe("apply");
            holder.waitFor();
            assertThat(run.err()).contains("another lethe apply is running");
            assertThat(run.exit()).as(run.all()).isZero();
            assertThat(m.mountsBelowRoot()).contains("/var/log");
        }
    }

    @Test
    void aBadConfigExitsWithItsOwnCodeAndTouchesNothing() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["var/log"]
                    """);
            Machine.Run run = m.lethe("apply");
            assertThat(run.exit()).isEqualTo(ExitCode.CONFIG);
            assertThat(run.err()).contains("lethe.toml:3");
            assertThat(m.mountsBelowRoot()).containsExactly("/persist");
        }
    }
}
