package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Machine;
import dev.lethe.testing.Machine.Disk;
import dev.lethe.testing.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * lethe doctor on a real machine (tmpfs root, a store on its own tmpfs, ext4 and tmpfs mounts in
 * the test's private namespace): a clean setup gives no finding and exit 0, and each finding is
 * provoked on that setup by one change and then reported, with exit 1.
 */
class DoctorCommandTest {

    private static final String CONFIG = """
            [root]
            strategy = "tmpfs"

            [[store]]
            path = "/persist"
            directories = ["/var/log", "/etc/ssh"%s]
            files = [{ path = "/etc/machine-id", stage = "initrd" }%s]
            """;

    /** A machine lethe serves well: the store in fstab, identities persisted, no aged rule in a persisted path. */
    private static void clean(Machine m) throws Exception {
        config(m, "", "");
        m.write("/etc/fstab", "# <file system> <mount point> <type> <options> <dump> <pass>\n"
                + "LABEL=persist /persist ext4 defaults 0 2\n");
        m.write("/etc/machine-id", "0123456789abcdef0123456789abcdef\n");
        m.write("/etc/ssh/ssh_host_ed25519_key", "private\n");
        m.write("/var/log/syslog", "booted\n");
        m.write("/usr/lib/tmpfiles.d/tmp.conf", "q /var/tmp 1777 root root 30d\nd /var/log 0755 root root -\n");
        Machine.Run apply = m.lethe("apply");
        assertThat(apply.exit()).as(apply.all()).isZero();
    }

    private static void config(Machine m, String directories, String files) throws Exception {
        m.config(CONFIG.formatted(directories, files));
    }

    /** The kinds of the findings in the --json output, after checking the envelope. */
    @SuppressWarnings("unchecked")
    private static List<String> kinds(Machine m) throws Exception {
        Machine.Run run = m.lethe("doctor", "--json");
        Map<String, Object> document = JsonTree.object(run.out());
        assertThat(document).containsEntry("version", 1L).containsKeys("healthy", "findings");
        List<Map<String, Object>> findings = (List<Map<String, Object>>) document.get("findings");
        assertThat(run.exit()).as(run.all()).isEqualTo(findings.isEmpty() ? 0 : 1);
        assertThat(document.get("healthy")).isEqualTo(findings.isEmpty());
        return findings.stream().map(f -> (String) f.get("kind")).toList();
    }

    @Test
    void aCleanMachineHasNoFindingsAndExitsZero() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            clean(m);
            Machine.Run text = m.lethe("doctor");
            assertThat(text.exit()).as(text.all()).isZero();
            assertThat(text.out()).startsWith("No problems found (3 entries");
            assertThat(kinds(m)).isEmpty();
        }
    }

    @Test
    void theJsonNamesEachFindingWithItsPathProblemAndRemedy() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            clean(m);
            m.write("/etc/fstab", "LABEL=persist /persist ext4 defaults,noauto 0 2\n");
            Machine.Run run = m.lethe("doctor", "--json");
            assertThat(run.exit()).isEqualTo(1);
            Map<String, Object> document = JsonTree.object(run.out());
            assertThat(document.keySet()).containsExactly("version", "healthy", "findings");
            assertThat(document.get("healthy")).isEqualTo(false);
            assertThat((List<?>) document.get("findings")).singleElement().isEqualTo(Map.of(
                    "kind", "store-mounted-late", "path", "/persist",
                    "problem", "the store /persist is noauto: the boot mounts it only when a unit asks for it, so whatever "
                            + "uses the store outside lethe's units, and every boot with lethe=off, finds an empty "
                            + "directory (/etc/fstab:1)",
                    "remedy", "mount it as a plain local filesystem: drop that option from /etc/fstab:1, or keep this "
                            + "data on a local store"));
            Machine.Run text = m.lethe("doctor");
            assertThat(text.exit()).isEqualTo(1);
            assertThat(text.out()).contains("store-mounted-late", "what to do: mount it as a plain local filesystem",
                    "1 problem.");
        }
    }

    @Test
    void aFailedWipeIsFound() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            clean(m);
            m.write("/run/lethe/wipe-failed", "btrfs subvolume snapshot failed\n");
            assertThat(kinds(m)).containsExactly("entry-not-active");
            assertThat(m.lethe("doctor").out()).contains("wipe-failed", "btrfs subvolume snapshot failed");
        }
    }

    @Test
    void aBadConfigOrRootExitsAsEveryCommandDoes() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            clean(m);
            m.config("[[store]]\npath = \"persist\"\n");
            Machine.Run bad = m.lethe("doctor");
            assertThat(bad.exit()).isEqualTo(ExitCode.CONFIG);
            assertThat(bad.err()).contains("lethe.toml:2");
            assertThat(Main.run(new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(
                    new java.io.StringWriter()), "doctor", "--root", m.scratch.resolve("no-such-root").toString()))
                    .isEqualTo(ExitCode.ENVIRONMENT);
        }
    }

    @Test
    void aStrategyWhoseCheckWouldRefuseDoesNotStopTheOtherChecks() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            clean(m);
            m.config(CONFIG.formatted("", "").replace("strategy = \"tmpfs\"", "strategy = \"btrfs\"\n"
                    + "device = \"/dev/disk/by-label/no-such-disk\"\nsubvolume = \"@root\"\nblank = \"@root-blank\""));
            assertThat(m.lethe("archive", "list").exit()).as("the strategy's check refuses").isEqualTo(ExitCode.ENVIRONMENT);
            assertThat(kinds(m)).isEmpty();
            m.write("/etc/fstab", "");
            assertThat(kinds(m)).containsExactly("store-mounted-late");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"noauto", "x-systemd.automount", "_netdev", "nfs-type", "missing", "unit-automount"})
    void aStoreMountedLateOrNotAtAllIsFound(String how) throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            clean(m);
            switch (how) {
                case "nfs-type" -> m.write("/etc/fstab", "server:/export /persist nfs defaults 0 0\n");
                case "missing" -> m.write("/etc/fstab", "LABEL=root / ext4 defaults 0 1\n");
                case "unit-automount" -> {
                    m.write("/etc/fstab", "LABEL=root / ext4 defaults 0 1\n");
                    m.write("/etc/systemd/system/persist.mount",
                            "[Mount]\nWhat=/dev/disk/by-label/persist\nWhere=/persist\nOptions=x-systemd.automount\n");
                }
                default -> m.write("/etc/fstab", "LABEL=persist /persist ext4 rw," + how + " 0 2\n");
            }
            assertThat(kinds(m)).containsExactly("store-mounted-late");
            assertThat(m.lethe("doctor").out()).contains(how.equals("missing") ? "has no line in /etc/fstab"
                    : how.equals("nfs-type") ? "needs the network (nfs)" : how.equals("unit-automount")
                    ? "(/etc/systemd/system/persist.mount)" : how);
        }
    }

    @Test
    void aMountUnitForTheStoreCountsAsEarly() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            clean(m);
            m.write("/etc/fstab", "");
            m.write("/etc/systemd/system/persist.mount", "[Mount]\nWhat=/dev/disk/by-label/persist\nWhere=/persist\n");
            assertThat(kinds(m)).isEmpty();
        }
    }

    @Test
    void anEntryNotInPlaceIsFound() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            clean(m);
            m.write("/var/lib/app/on-root", "a");
            Files.createDirectories(m.disk.resolve("var/lib/app"));
            Files.writeString(m.disk.resolve("var/lib/app/in-store"), "b");
            config(m, ", \"/var/lib/app\"", "");
            assertThat(kinds(m)).containsExactly("entry-not-active");
            assertThat(m.lethe("doctor").out()).contains("/var/lib/app", "the entry is conflict:");
        }
    }

    @Test
    void aMountOverAnEntryOrOverItsParentIsFound() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            clean(m);
            Sh.run("mount", "-t", "tmpfs", "over-entry", m.at("/var/log").toString());
            assertThat(kinds(m)).containsExactly("mount-shadowed");
            assertThat(m.lethe("doctor").out()).contains("hidden by over-entry (tmpfs) mounted on /var/log:");
            Sh.run("umount", m.at("/var/log").toString());
            assertThat(kinds(m)).isEmpty();

            Sh.run("mount", "-t", "tmpfs", "over-parent", m.at("/var").toString());
            List<String> kinds = kinds(m);
            assertThat(kinds).contains("mount-shadowed");
            assertThat(m.lethe("doctor").out()).contains("hidden by over-parent (tmpfs) mounted on /var (a parent)");
            Sh.run("umount", m.at("/var").toString());
        }
    }

    @Test
    void aForgottenMachineIdAndSshHostKeyAreFound() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            clean(m);
            m.config("""
                    [root]
                    strategy = "tmpfs"

                    [[store]]
                    path = "/persist"
                    directories = ["/var/log"]
                    """);
            Sh.run("umount", m.at("/etc/ssh").toString());
            Sh.run("umount", m.at("/etc/machine-id").toString());
            m.write("/etc/ssh/ssh_host_rsa_key", "private\n");
            Machine.Run text = m.lethe("doctor");
            assertThat(text.out()).contains("/etc/machine-id is not persisted", "/etc/ssh/ssh_host_rsa_key is not persisted");
            assertThat(kinds(m)).containsExactly("identity-not-persisted", "identity-not-persisted");
            // Nothing is forgotten in adoption mode: the same machine is then healthy.
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log"]
                    """);
            assertThat(kinds(m)).isEmpty();
        }
    }

    @Test
    void storeFilesOfAPersonOrOfADynamicUserNeedTheirDatabases() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            clean(m);
            Sh.run("chown", "1000:1000", m.disk.resolve("var/log/syslog").toString());
            assertThat(kinds(m)).containsExactly("user-database-not-persisted");
            assertThat(m.lethe("doctor").out()).contains("uid 1000, e.g. /persist/var/log/syslog", "gid 1000",
                    "/etc/passwd and /etc/group are not persisted");

            Sh.run("chown", "0:0", m.disk.resolve("var/log/syslog").toString());
            Files.writeString(m.disk.resolve("var/log/private.log"), "x");
            Sh.run("chown", "61300:0", m.disk.resolve("var/log/private.log").toString());
            assertThat(kinds(m)).containsExactly("user-database-not-persisted");
            assertThat(m.lethe("doctor").out()).contains("uid 61300", "/var/lib/systemd is not persisted",
                    "lethe persist /var/lib/systemd");

            // A system id the root's database does not define is as foreign as a person's.
            Sh.run("chown", "0:0", m.disk.resolve("var/log/private.log").toString());
            Sh.run("chown", "0:117", m.disk.resolve("var/log/syslog").toString());
            assertThat(m.lethe("doctor").out()).contains("gid 117, e.g. /persist/var/log/syslog");
        }
    }

    @Test
    void aTmpfilesAgeRuleInsideAPersistedPathIsFoundUnlessMasked() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            clean(m);
            m.write("/usr/lib/tmpfiles.d/logs.conf", "# old logs\ne /var/log/journal - - - 10d\n");
            assertThat(kinds(m)).containsExactly("tmpfiles-cleans-persisted");
            assertThat(m.lethe("doctor").out()).contains("/usr/lib/tmpfiles.d/logs.conf:2: e /var/log/journal - - - 10d",
                    "what to do: copy /usr/lib/tmpfiles.d/logs.conf to /etc/tmpfiles.d/");
            // The same name in /etc masks the vendor's file, as systemd-tmpfiles reads them.
            m.write("/etc/tmpfiles.d/logs.conf", "e /var/log/journal - - - -\n");
            assertThat(kinds(m)).isEmpty();
            m.write("/run/tmpfiles.d/other.conf", "D! /var/log 0755 root root 1w\n");
            assertThat(kinds(m)).containsExactly("tmpfiles-cleans-persisted");
        }
    }

    @Test
    void aPersistedFileThatItsProgramReplacesByRenameIsFound() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            clean(m);
            m.write("/etc/resolv.conf", "nameserver 192.0.2.1\n");
            config(m, "", ", \"/etc/resolv.conf\"");
            assertThat(m.lethe("apply").exit()).isZero();
            assertThat(kinds(m)).containsExactly("file-replaced-by-rename");
            assertThat(m.lethe("doctor").out()).contains("/etc/resolv.conf is persisted as a single file",
                    "(EBUSY)");
            // And the reason is real: renaming a file over the bind-mounted one fails.
            Path replacement = m.at("/etc/resolv.conf.new");
            Files.writeString(replacement, "nameserver 192.0.2.2\n");
            assertThat(Sh.tryRun("mv", "-T", replacement.toString(), m.at("/etc/resolv.conf").toString()).exit())
                    .isNotZero();
        }
    }

    @Test
    void archivesFillingTheirFilesystemAreFound() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            clean(m);
            Path upper = m.at("/overlay");
            Files.createDirectories(upper);
            Sh.run("mount", "-t", "tmpfs", "-o", "size=8m", "overlay-disk", upper.toString());
            for (String boot : List.of("20261127T071502Z", "20261128T064410Z")) {
                Files.createDirectories(upper.resolve("boots/" + boot + "/upper"));
                Files.createDirectories(upper.resolve("boots/" + boot + "/work"));
            }
            Files.createSymbolicLink(upper.resolve("current"), Path.of("boots/20261128T064410Z"));
            m.config(CONFIG.formatted("", "").replace("strategy = \"tmpfs\"", "strategy = \"overlay\"\nupper = \"/overlay\""));
            assertThat(kinds(m)).isEmpty();

            // An archive taking more than half the filesystem, with room still left.
            Sh.run("dd", "if=/dev/zero", "of=" + upper.resolve("boots/20261127T071502Z/upper/big"), "bs=1M", "count=5",
                    "status=none");
            assertThat(kinds(m)).containsExactly("archives-filling-disk");
            assertThat(m.lethe("doctor").out()).containsPattern("has 3[0-9]\\.[0-9] % free .*; the archives take 6[0-9]\\.[0-9] % of it");

            // Under a tenth free, whatever fills it.
            Files.delete(upper.resolve("boots/20261127T071502Z/upper/big"));
            Sh.run("dd", "if=/dev/zero", "of=" + upper.resolve("boots/20261128T064410Z/upper/big"), "bs=512K", "count=15",
                    "status=none");
            assertThat(kinds(m)).containsExactly("archives-filling-disk");
            assertThat(m.lethe("doctor").out()).containsPattern("has [0-9]\\.[0-9] % free");
        }
    }
}
