package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.BtrfsMachine;
import dev.lethe.testing.BtrfsMachine.Run;
import dev.lethe.testing.Machine;
import dev.lethe.testing.Machine.Disk;
import dev.lethe.testing.Sh;
import dev.lethe.testing.Trees;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * wipe and archive list / show / restore / prune, end to end through the command line, on a real
 * btrfs root (root, private mount namespace): a boot is {@code apply --boot system}, a reboot is
 * {@code wipe} then mounting the fresh @root, as the boot integration does.
 */
class RootCommandsTest {

    private static final String STORES = """
            [[store]]
            path = "/persist"
            directories = ["/var/log"]
            [store.users.alice]
            directories = ["Documents"]
            """;

    private static final String MARK = "/.lethe-activated";

    @Test
    void wipeDryRunPrintsTheStepsAndChangesNothing() throws Exception {
        try (BtrfsMachine m = new BtrfsMachine()) {
            m.config(m.rootSection() + STORES);
            boot(m);
            m.write("/etc/motd", "You have been hacked.\n");
            Map<String, String> root = m.manifest("@root");
            Map<String, String> subvolumes = m.subvolumes();

            Run dry = m.lethe("wipe", "--dry-run");

            assertThat(dry.exit()).as(dry.all()).isZero();
            assertThat(dry.out().lines()).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("would "));
            assertThat(dry.out())
                    .contains("would create the directory lethe-archives")
                    .containsPattern("would keep /@root as archive lethe-archives/@root\\.\\d{8}T\\d{6}Z ")
                    .contains("would make /@root a writable snapshot of /@root-blank");
            assertThat(m.at("lethe-archives")).doesNotExist();
            assertThat(m.manifest("@root")).isEqualTo(root);
            assertThat(m.subvolumes()).isEqualTo(subvolumes);
            assertThat(archives(m)).isEmpty();
        }
    }

    @Test
    void wipeArchivesTheRootAndTheNextBootIsTheBlankWithThePersistedData() throws Exception {
        try (BtrfsMachine m = new BtrfsMachine()) {
            m.config(m.rootSection() + STORES);
            boot(m);
            m.write("/var/log/syslog", "kept\n");
            m.write("/home/alice/Documents/notes.txt", "Buy milk.\n");
            m.write("/etc/motd", "You have been hacked.\n");
            m.write("/var/lib/stray/state", "forgotten\n");

            Run wipe = m.lethe("wipe");

            assertThat(wipe.exit()).as(wipe.all()).isZero();
            assertThat(wipe.err()).doesNotContain("DEGRADED");
            assertThat(wipe.out()).contains("done make /@root a writable snapshot of /@root-blank");
            List<Map<String, Object>> archives = archives(m);
            assertThat(archives).hasSize(1);
            Map<String, Object> archive = archives.getFirst();
            String id = (String) archive.get("id");
            assertThat(id).matches("@root\\.\\d{8}T\\d{6}Z");
            assertThat(Duration.between(Instant.parse((String) archive.get("created")), Instant.now()))
                    .isBetween(Duration.ZERO, Duration.ofMinutes(1));
            assertThat(archive).containsEntry("age", "just now").containsEntry("strategy", "btrfs")
                    .containsEntry("degraded", false);
            assertThat(m.subvolumes()).containsKey("lethe-archives/" + id);

            m.reboot();
            assertThat(m.manifest("@root")).isEqualTo(m.manifest("@root-blank"));
            assertThat(m.read("/etc/motd")).isEqualTo("Welcome.\n");
            assertThat(m.at("/var/lib/stray")).doesNotExist();
            assertThat(m.at("/var/log/syslog")).doesNotExist();

            boot(m);
            assertThat(m.read("/var/log/syslog")).isEqualTo("kept\n");
            assertThat(m.read("/home/alice/Documents/notes.txt")).isEqualTo("Buy milk.\n");
            assertThat(m.at("/var/lib/stray")).doesNotExist();
        }
    }

    @Test
    void aRootWhoseBootDidNotFinishActivationIsArchivedAsDegraded() throws Exception {
        try (BtrfsMachine m = new BtrfsMachine()) {
            m.config(m.rootSection() + STORES);
            Run apply = m.lethe("apply");  // not --boot system: this boot never finished activation
            assertThat(apply.exit()).as(apply.all()).isZero();
            assertThat(m.at(MARK)).doesNotExist();
            m.write("/var/lib/app/written-while-the-store-was-missing", "someone's data\n");

            Run wipe = m.lethe("wipe");

            assertThat(wipe.exit()).as(wipe.all()).isZero();
            assertThat(wipe.err()).contains("DEGRADED").contains(MARK);
            assertThat(wipe.out()).contains("marked degraded");
            Map<String, Object> degraded = archives(m).getFirst();
            assertThat((String) degraded.get("id")).endsWith(".degraded");
            assertThat(degraded).containsEntry("degraded", true);

            // --degraded forces it for a root whose boot did finish.
            m.reboot();
            boot(m);
            assertThat(m.at(MARK)).isRegularFile();
            BtrfsMachine.nextSecond();
            Run forced = m.lethe("wipe", "--degraded");
            assertThat(forced.exit()).as(forced.all()).isZero();
            List<Map<String, Object>> archives = archives(m);
            assertThat(archives).hasSize(2);
            assertThat((String) archives.getFirst().get("id")).endsWith(".degraded").isNotEqualTo(degraded.get("id"));
            assertThat(archives).allSatisfy(a -> assertThat(a).containsEntry("degraded", true));
        }
    }

    @Test
    void archiveShowListsADirectoryPrintsAFileAndRefusesMissingPathsAndLinks() throws Exception {
        try (BtrfsMachine m = new BtrfsMachine()) {
            m.config(m.rootSection() + STORES);
            boot(m);
            m.write("/etc/motd", "You have been hacked.\n");
            // Inside the archive this points at the host's /etc: following it would show the host's files.
            Files.createSymbolicLink(m.at("/etc/sneaky"), Path.of("/etc"));
            String id = wipeAndReboot(m);

            Run top = m.lethe("archive", "show", id);
            assertThat(top.exit()).as(top.all()).isZero();
            assertThat(top.out().lines()).contains("etc/", "home/", "var/", "tmp/", "persist/");

            Run etc = m.lethe("archive", "show", id, "/etc");
            assertThat(etc.exit()).as(etc.all()).isZero();
            assertThat(etc.out().lines()).contains("sneaky -> /etc").anyMatch(l -> l.startsWith("motd  ("));

            Run motd = m.lethe("archive", "show", id, "/etc/motd");
            assertThat(motd.exit()).as(motd.all()).isZero();
            assertThat(motd.out()).isEqualTo("You have been hacked.\n");
            assertThat(m.read("/etc/motd")).isEqualTo("Welcome.\n");

            Run missing = m.lethe("archive", "show", id, "/some/missing");
            assertThat(missing.exit()).isNotZero();
            assertThat(missing.err()).contains("/some/missing").contains("not in archive " + id);

            Run throughLink = m.lethe("archive", "show", id, "/etc/sneaky/passwd");
            assertThat(throughLink.exit()).isNotZero();
            assertThat(throughLink.err()).contains("/etc/sneaky/passwd").contains("symbolic link");
            assertThat(throughLink.out()).isEmpty();

            Run unknown = m.lethe("archive", "show", "@root.19700101T000000Z", "/etc/motd");
            assertThat(unknown.exit()).isNotZero();
            assertThat(unknown.err()).contains("no archive @root.19700101T000000Z");
        }
    }

    @Test
    void archiveRestoreCopiesIntoTheStoreOfTheCoveringEntryAndNeverOverwrites() throws Exception {
        try (BtrfsMachine m = new BtrfsMachine()) {
            m.config(m.rootSection() + STORES);
            boot(m);
            m.write("/var/lib/other-app/data", "settings that took an hour\n");
            Path data = m.at("/var/lib/other-app/data");
            Sh.run("chown", "1000:1000", data.toString());
            Sh.run("chmod", "0640", data.toString());
            FileTime mtime = FileTime.from(Instant.parse("2021-03-04T05:06:07Z"));
            Files.setLastModifiedTime(data, mtime);
            String id = wipeAndReboot(m);
            boot(m);
            assertThat(m.at("/var/lib/other-app")).doesNotExist();

            Run uncovered = m.lethe("archive", "restore", id, "/var/lib/other-app/data");
            assertThat(uncovered.exit()).isNotZero();
            assertThat(uncovered.err()).contains("/var/lib/other-app/data").contains("not persisted by any entry");
            assertThat(m.at("@persist/var/lib/other-app")).doesNotExist();

            m.config(m.rootSection() + STORES.replace("[\"/var/log\"]", "[\"/var/log\", \"/var/lib/other-app\"]"));
            Run apply = m.lethe("apply");
            assertThat(apply.exit()).as(apply.all()).isZero();

            Run restore = m.lethe("archive", "restore", id, "/var/lib/other-app/data");

            assertThat(restore.exit()).as(restore.all()).isZero();
            assertThat(restore.out()).contains("restored /var/lib/other-app/data from " + id
                    + " into /persist/var/lib/other-app/data");
            assertThat(restore.err()).as("the copy's progress, in plain lines: stderr is no terminal here")
                    .containsPattern("(?m)^lethe: restoring /var/lib/other-app/data: done, 27 B, 1 file in [0-9.]+ s")
                    .containsPattern("(?m)^lethe: verifying \\S*/persist/var/lib/other-app/data: done, 27 B, 1 file in ");
            assertThat(restore.out()).doesNotContain("restoring /var");
            Path stored = m.at("@persist/var/lib/other-app/data");
            assertThat(stored).hasContent("settings that took an hour");
            assertThat(Trees.describe(stored)).startsWith("file 1000:1000 0640 ");
            assertThat(Files.getLastModifiedTime(stored, LinkOption.NOFOLLOW_LINKS)).isEqualTo(mtime);
            assertThat(m.read("/var/lib/other-app/data")).isEqualTo("settings that took an hour\n");

            m.write("/var/lib/other-app/data", "edited since\n");
            Run again = m.lethe("archive", "restore", id, "/var/lib/other-app/data");
            assertThat(again.exit()).isNotZero();
            assertThat(again.err()).contains("exists").contains("never overwrites");
            assertThat(stored).hasContent("edited since");

            Run notCovered = m.lethe("archive", "restore", id, "/etc/motd");
            assertThat(notCovered.exit()).isNotZero();
            assertThat(notCovered.err()).contains("/etc/motd").contains("not persisted by any entry");
        }
    }

    @Test
    void pruneByPolicyRemovesTheOlderArchivesButNeverTheNewest() throws Exception {
        try (BtrfsMachine m = new BtrfsMachine()) {
            m.config(m.rootSection() + "[root.archive]\nkeep = { last = 1 }\n" + STORES);
            for (int i = 0; i < 3; i++) {
                boot(m);
                wipeAndReboot(m);
                BtrfsMachine.nextSecond();
            }
            List<String> ids = ids(m);
            assertThat(ids).hasSize(3);
            String newest = ids.get(0);
            Map<String, String> subvolumes = m.subvolumes();

            Run dry = m.lethe("archive", "prune", "--dry-run");
            assertThat(dry.exit()).as(dry.all()).isZero();
            assertThat(dry.out()).contains("would remove " + ids.get(1), "would remove " + ids.get(2))
                    .doesNotContain("would remove " + newest).contains("keep    " + newest);
            assertThat(ids(m)).isEqualTo(ids);
            assertThat(m.subvolumes()).isEqualTo(subvolumes);

            Run prune = m.lethe("archive", "prune");
            assertThat(prune.exit()).as(prune.all()).isZero();
            assertThat(prune.out()).contains("removed " + ids.get(1), "removed " + ids.get(2))
                    .doesNotContain("removed " + newest);
            assertThat(ids(m)).containsExactly(newest);
            assertThat(m.subvolumes()).containsKey("lethe-archives/" + newest)
                    .doesNotContainKeys("lethe-archives/" + ids.get(1), "lethe-archives/" + ids.get(2));

            Run byId = m.lethe("archive", "prune", newest);
            assertThat(byId.exit()).isNotZero();
            assertThat(byId.err()).contains(newest).contains("newest");
            assertThat(ids(m)).containsExactly(newest);
        }
    }

    @Test
    void aDegradedArchiveIsKeptByPolicyAndRemovedOnlyByItsId() throws Exception {
        try (BtrfsMachine m = new BtrfsMachine()) {
            m.config(m.rootSection() + "[root.archive]\nkeep = { last = 1 }\n" + STORES);
            assertThat(m.lethe("apply").exit()).isZero();  // no --boot system: the first archive is degraded
            String degraded = wipeAndReboot(m);
            assertThat(degraded).endsWith(".degraded");
            BtrfsMachine.nextSecond();
            boot(m);
            String middle = wipeAndReboot(m);
            BtrfsMachine.nextSecond();
            boot(m);
            String newest = wipeAndReboot(m);

            Run policy = m.lethe("archive", "prune");
            assertThat(policy.exit()).as(policy.all()).isZero();
            assertThat(policy.out()).contains("removed " + middle).doesNotContain("removed " + degraded)
                    .containsPattern("keep +" + Pattern.quote(degraded) + " +\\(.*degraded");
            assertThat(ids(m)).containsExactly(newest, degraded);

            Run byId = m.lethe("archive", "prune", degraded);
            assertThat(byId.exit()).as(byId.all()).isZero();
            assertThat(byId.out()).contains("removed " + degraded);
            assertThat(ids(m)).containsExactly(newest);
            assertThat(m.subvolumes()).doesNotContainKey("lethe-archives/" + degraded);
        }
    }

    @Test
    void strategyNoneExplainsAdoptionModeAndHasNoArchives() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(STORES);
            assertThat(m.lethe("apply", "--boot", "system").exit()).isZero();
            Map<String, String> before = Trees.manifest(m.root);

            Machine.Run wipe = m.lethe("wipe");
            assertThat(wipe.exit()).as(wipe.all()).isZero();
            assertThat(wipe.out()).contains("adoption mode").contains("never wipes the root");
            assertThat(wipe.err()).doesNotContain("DEGRADED");
            // One sentence, the same for a dry run: no "done" or "would" before a step that is none.
            assertThat(wipe.out().lines()).singleElement().satisfies(line -> assertThat(line)
                    .startsWith("strategy \"none\" is adoption mode").endsWith("."));
            assertThat(m.lethe("wipe", "--dry-run").out()).isEqualTo(wipe.out());
            assertThat(Trees.manifest(m.root)).isEqualTo(before);

            Machine.Run list = m.lethe("archive", "list");
            assertThat(list.exit()).as(list.all()).isZero();
            assertThat(list.out()).contains("No archives (strategy none)");
            assertThat(JsonTree.array(m.lethe("archive", "list", "--json").out())).isEmpty();
        }
    }

    @Test
    void aMissingDeviceIsRefusedWithExitFourAndNothingIsTouched() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [root]
                    strategy = "btrfs"
                    device = "/dev/does-not-exist"
                    subvolume = "@root"
                    blank = "@root-blank"
                    """ + STORES);
            assertThat(m.lethe("apply", "--boot", "system").exit()).isZero();
            Map<String, String> before = Trees.manifest(m.root);
            List<String> mounts = m.mountsBelowRoot();

            for (String[] command : List.of(new String[] {"wipe"}, new String[] {"wipe", "--dry-run"},
                    new String[] {"archive", "list"})) {
                Machine.Run run = m.lethe(command);
                assertThat(run.exit()).as(String.join(" ", command) + ": " + run.all()).isEqualTo(4);
                assertThat(run.err()).contains("/dev/does-not-exist").contains("does not exist");
                assertThat(run.out()).isEmpty();
            }
            assertThat(Trees.manifest(m.root)).isEqualTo(before);
            assertThat(m.mountsBelowRoot()).isEqualTo(mounts);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void wipeRestoreAndPruneReportWhatTheyDidAsJson() throws Exception {
        try (BtrfsMachine m = new BtrfsMachine()) {
            m.config(m.rootSection() + "[root.archive]\nkeep = { last = 1 }\n" + STORES);
            boot(m);
            m.write("/var/lib/other-app/data", "settings\n");

            Run dry = m.lethe("wipe", "--dry-run", "--json");
            assertThat(dry.exit()).as(dry.all()).isZero();
            Map<String, Object> planned = JsonTree.object(dry.out());  // strict: nothing but the document
            assertThat(planned).containsEntry("version", 1L).containsEntry("strategy", "btrfs")
                    .containsEntry("done", false).containsEntry("degraded", false).doesNotContainKey("archive");
            assertThat((List<String>) planned.get("steps")).contains("make /@root a writable snapshot of /@root-blank");
            assertThat(archives(m)).isEmpty();

            Run wipe = m.lethe("wipe", "--json");
            assertThat(wipe.exit()).as(wipe.all()).isZero();
            Map<String, Object> done = JsonTree.object(wipe.out());
            assertThat(done).containsEntry("version", 1L).containsEntry("done", true);
            assertThat((List<String>) done.get("steps")).contains("make /@root a writable snapshot of /@root-blank");
            m.reboot();
            String first = (String) done.get("archive");
            assertThat(ids(m)).containsExactly(first);

            boot(m);
            m.config(m.rootSection() + "[root.archive]\nkeep = { last = 1 }\n"
                    + STORES.replace("[\"/var/log\"]", "[\"/var/log\", \"/var/lib/other-app\"]"));
            assertThat(m.lethe("apply").exit()).isZero();
            Run restore = m.lethe("archive", "restore", "--json", first, "/var/lib/other-app/data");
            assertThat(restore.exit()).as(restore.all()).isZero();
            assertThat(JsonTree.object(restore.out())).isEqualTo(Map.of("version", 1L, "restored", List.of(Map.of(
                    "path", "/var/lib/other-app/data", "archive", first, "into", "/persist/var/lib/other-app/data"))));
            assertThat(m.at("@persist/var/lib/other-app/data")).hasContent("settings");
            assertThat(restore.err()).as("no progress with --json").doesNotContain("restoring").doesNotContain("verifying");

            BtrfsMachine.nextSecond();
            String second = wipeAndReboot(m);
            Run wouldPrune = m.lethe("archive", "prune", "--dry-run", "--json");
            assertThat(wouldPrune.exit()).as(wouldPrune.all()).isZero();
            Map<String, Object> would = JsonTree.object(wouldPrune.out());
            assertThat(would).containsEntry("version", 1L).containsEntry("done", false);
            assertThat((List<Object>) would.get("removed")).extracting(a -> ((Map<String, Object>) a).get("id"))
                    .containsExactly(first);
            Map<String, Object> kept = (Map<String, Object>) ((List<Object>) would.get("kept")).getFirst();
            assertThat(kept).containsEntry("id", second).containsEntry("degraded", false);
            assertThat((List<String>) kept.get("reasons")).isNotEmpty();
            assertThat(ids(m)).containsExactly(second, first);

            Run prune = m.lethe("archive", "prune", "--json");
            assertThat(prune.exit()).as(prune.all()).isZero();
            Map<String, Object> pruned = JsonTree.object(prune.out());
            assertThat(pruned).containsEntry("done", true);
            assertThat((List<Object>) pruned.get("removed")).extracting(a -> ((Map<String, Object>) a).get("id"))
                    .containsExactly(first);
            assertThat(ids(m)).containsExactly(second);
        }
    }

    @Test
    void archiveListIsATableWithAHeaderRowAndAMarkColumnOnlyForADegradedArchive() throws Exception {
        try (BtrfsMachine m = new BtrfsMachine()) {
            m.config(m.rootSection() + STORES);
            assertThat(m.lethe("apply").exit()).isZero();  // no --boot system: the archive is degraded
            String degraded = wipeAndReboot(m);
            Run list = m.lethe("archive", "list");
            assertThat(list.exit()).as(list.all()).isZero();
            List<String> lines = list.out().lines().toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).matches("ID +CREATED +AGE +STRATEGY +SIZE +MARK");
            assertThat(lines.get(1)).startsWith(degraded + " ").endsWith("  DEGRADED");
            assertThat(lines.get(1).indexOf(" btrfs ") + 1).as("the STRATEGY column starts under its header")
                    .isEqualTo(lines.get(0).indexOf("STRATEGY"));
        }
    }

    // ---- helpers ----

    /** What the boot service does: apply --boot system, which leaves the activation mark. */
    static void boot(BtrfsMachine m) {
        Run boot = m.lethe("apply", "--boot", "system");
        assertThat(boot.exit()).as(boot.all()).isZero();
    }

    /** Wipes, checks it worked, reboots onto the fresh root; returns the new archive's id. */
    static String wipeAndReboot(BtrfsMachine m) throws Exception {
        List<String> before = ids(m);
        Run wipe = m.lethe("wipe");
        assertThat(wipe.exit()).as(wipe.all()).isZero();
        m.reboot();
        List<String> after = ids(m);
        assertThat(after).hasSize(before.size() + 1);
        return after.getFirst();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> archives(BtrfsMachine m) throws Exception {
        Run list = m.lethe("archive", "list", "--json");
        assertThat(list.exit()).as(list.all()).isZero();
        return JsonTree.array(list.out()).stream().map(a -> (Map<String, Object>) a).toList();
    }

    /** Archive ids, newest first. */
    static List<String> ids(BtrfsMachine m) throws Exception {
        return archives(m).stream().map(a -> (String) a.get("id")).toList();
    }

    @Test
    void anOverlayWipeWithNothingToArchiveGivesNoDegradedWarning() throws Exception {
        try (dev.lethe.diff.DiffRig rig = new dev.lethe.diff.DiffRig()) {
            // The first boot directory exists, never mounted: its upper is empty, and no apply marked it.
            rig.strategy(rig.config("""
                    [root]
                    strategy = "overlay"
                    upper = "/overlay"
                    """)).wipe(new dev.lethe.root.RootStrategy.WipeRequest(Instant.now(), false));
            for (String dry : List.of("--dry-run", "--degraded")) {
                java.io.StringWriter out = new java.io.StringWriter();
                java.io.StringWriter err = new java.io.StringWriter();
                int exit = Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true),
                        "wipe", dry, "--root", rig.root.toString(), "--config", rig.config.toString());
                assertThat(exit).as(out + "" + err).isZero();
                assertThat(err.toString()).as(dry).doesNotContain("WARNING", "DEGRADED");
                assertThat(out.toString()).as(dry).contains("nothing to archive");
            }
        }
    }
}
