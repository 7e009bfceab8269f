package dev.lethe.cli;

import static dev.lethe.cli.RootCommandsTest.boot;
import static dev.lethe.cli.RootCommandsTest.wipeAndReboot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.diff.DiffRig;
import dev.lethe.diff.DiffTestKnown;
import dev.lethe.testing.BtrfsMachine;
import dev.lethe.testing.BtrfsMachine.Run;
import dev.lethe.testing.Sh;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@code lethe diff} on a real btrfs root (loop device, private mount namespace): the root against
 * its blank snapshot, through the command line. The blank holds {@link DiffRig#writeBlank}'s files
 * and the tests make {@link DiffRig#makeKnownChanges}, so the diff must be exactly
 * {@link DiffTestKnown#KNOWN}, as for overlay.
 */
class BtrfsDiffTest {

    private static final String STORES = """
            [[store]]
            path = "/persist"
            directories = ["/var/log", "/var/lib/deep/state"]
            """;

    /** A machine whose blank is DiffRig's blank root, made from @root as a machine's set-up does. */
    private static BtrfsMachine machine() throws Exception {
        BtrfsMachine m = new BtrfsMachine();
        DiffRig.writeBlank(m.at("@root"));
        // A nested subvolume, as systemd makes /var/lib/machines: the blank holds its placeholder.
        Sh.run("btrfs", "-q", "subvolume", "create", m.at("@root").resolve("var/lib/machines").toString());
        Sh.run("btrfs", "-q", "subvolume", "delete", m.at("@root-blank").toString());
        Sh.run("btrfs", "-q", "subvolume", "snapshot", "-r", m.at("@root").toString(), m.at("@root-blank").toString());
        m.config(m.rootSection() + STORES);
        return m;
    }

    private static void makeKnownChanges(BtrfsMachine m) {
        DiffRig.makeKnownChanges(m.root);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> diff(BtrfsMachine m, String... args) throws Exception {
        List<String> full = new java.util.ArrayList<>(List.of("diff", "--json"));
        full.addAll(List.of(args));
        Run run = m.lethe(full.toArray(String[]::new));
        assertThat(run.exit()).as(run.all()).isZero();
        Map<String, String> described = new TreeMap<>();
        for (Object record : JsonTree.array(run.out())) {
            Map<String, Object> change = (Map<String, Object>) record;
            described.put((String) change.get("path"), change.get("kind") + " " + change.get("what") + " "
                    + change.get("bytes") + (Boolean.TRUE.equals(change.get("directory")) ? " dir" : ""));
        }
        return described;
    }

    @Test
    void afterAWipeTheDiffIsExactlyTheKnownChanges() throws Exception {
        try (BtrfsMachine m = machine()) {
            boot(m);
            wipeAndReboot(m);  // the root is now a snapshot of the blank
            boot(m);
            // Apply made /var/lib/deep on the way to a persisted path; the next boot makes it again.
            assertThat(m.at("/var/lib/deep/state")).isDirectory();
            assertThat(diff(m, "--ignore", "/var/cache/**")).as("a fresh boot, activation mark and all").isEmpty();

            makeKnownChanges(m);

            assertThat(diff(m, "--ignore", "/var/cache/**")).containsExactlyEntriesOf(DiffTestKnown.KNOWN);
            Map<String, String> all = diff(m);
            assertThat(all).containsEntry("/var/cache/app", "added added 0 dir")
                    .containsEntry("/var/cache/app/blob", "added added 2")
                    .hasSize(DiffTestKnown.KNOWN.size() + 2);
        }
    }

    @Test
    void anExtendedAttributeOrAnInodeFlagAloneIsAChange() throws Exception {
        try (BtrfsMachine m = machine()) {
            boot(m);
            wipeAndReboot(m);
            boot(m);
            // A file capability, a label: same bytes, same owner and mode, but not what the blank has.
            Sh.run("setfattr", "-n", "user.lethe-test", "-v", "1", m.at("/etc/group").toString());
            Sh.run("setfattr", "-n", "user.lethe-test", "-v", "1", m.at("/etc/dirC").toString());
            Sh.run("chattr", "+d", m.at("/etc/hostname").toString());  // an inode flag: "no dump"

            assertThat(diff(m)).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                    "/etc/group", "modified metadata 24",
                    "/etc/dirC", "modified metadata 0 dir",
                    "/etc/hostname", "modified metadata 9")));
        }
    }

    @Test
    void onTheFirstBootTheRootTheBlankWasMadeFromIsComparedTheSameWay() throws Exception {
        try (BtrfsMachine m = machine()) {
            boot(m);
            makeKnownChanges(m);
            assertThat(diff(m, "--ignore", "/var/cache/**")).containsExactlyEntriesOf(DiffTestKnown.KNOWN);
        }
    }

    @Test
    void aBlankWrittenToAfterTheWipeIsComparedPathByPath() throws Exception {
        try (BtrfsMachine m = machine()) {
            boot(m);
            wipeAndReboot(m);
            boot(m);
            makeKnownChanges(m);
            // An administrator updates the blank after this boot started: the generations of the root
            // no longer say what differs from it, so every path is compared by name.
            String blank = m.at("@root-blank").toString();
            Sh.run("btrfs", "property", "set", "-ts", blank, "ro", "false");
            Sh.run("sh", "-ec", "echo new > " + blank + "/etc/added-to-the-blank");
            Sh.run("btrfs", "property", "set", "-ts", blank, "ro", "true");

            Map<String, String> expected = new TreeMap<>(DiffTestKnown.KNOWN);
            expected.put("/etc/added-to-the-blank", "deleted deleted 0");
            // By name, a directory made anew is the same directory with other contents.
            expected.remove("/etc/dirC");
            expected.put("/etc/dirC/c1", "deleted deleted 0");
            assertThat(diff(m, "--ignore", "/var/cache/**")).containsExactlyEntriesOf(expected);
        }
    }

    @Test
    void anArchiveShowsWhatItsBootChanged() throws Exception {
        try (BtrfsMachine m = machine()) {
            boot(m);
            wipeAndReboot(m);
            boot(m);
            makeKnownChanges(m);
            BtrfsMachine.nextSecond();
            String id = wipeAndReboot(m);
            boot(m);

            assertThat(diff(m, "--ignore", "/var/cache/**")).as("the new boot").isEmpty();
            assertThat(diff(m, "--archive", id, "--ignore", "/var/cache/**")).containsExactlyEntriesOf(DiffTestKnown.KNOWN);

            Run unknown = m.lethe("diff", "--archive", "20200101T000000Z");
            assertThat(unknown.exit()).as(unknown.all()).isNotZero();
            assertThat(unknown.err()).contains("20200101T000000Z");
        }
    }
}
