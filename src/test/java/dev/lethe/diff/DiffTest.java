package dev.lethe.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.config.Accounts;
import dev.lethe.config.Config;
import dev.lethe.linux.Fs;
import dev.lethe.linux.ffm.FfmSyscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.root.overlay.OverlayStrategy;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The overlay diff on a real overlay over ext4, with a known set of changes. */
class DiffTest {

    static final String CONFIG = """
            [root]
            strategy = "overlay"
            upper = "/overlay"
            [[store]]
            path = "/persist"
            directories = ["/var/log"]
            """;

    static final Map<String, String> KNOWN = DiffTestKnown.KNOWN;

    static Map<String, String> describe(List<Change> changes) {
        Map<String, String> described = new TreeMap<>();
        for (Change change : changes) {
            described.put(change.path().value(), change.kind().word() + " " + change.what() + " " + change.bytes()
                    + (change.directory() ? " dir" : ""));
        }
        return described;
    }

    private static List<Change> diff(DiffRig rig, Config config, OverlayStrategy.MountOptions options,
                                     List<String> ignore, boolean all) throws Exception {
        return UpperDiff.of(new FfmSyscalls(), options.upperdir(), rig.root.toString(),
                Filter.of(config.entries(), ignore, all));
    }

    @Test
    void anUntouchedBootHasNothingToForget() throws Exception {
        try (DiffRig rig = new DiffRig()) {
            Config config = rig.config(CONFIG);
            OverlayStrategy.MountOptions options = rig.boot(config);
            rig.sh("cat etc/hostname > /dev/null && ls -R . > /dev/null");
            assertThat(diff(rig, config, options, List.of(), false)).isEmpty();
        }
    }

    @Test
    void theDiffIsExactlyTheKnownChangesAndNothingPersisted() throws Exception {
        try (DiffRig rig = new DiffRig()) {
            Config config = rig.config(CONFIG);
            OverlayStrategy.MountOptions options = rig.boot(config);
            rig.makeKnownChanges();
            List<Change> changes = diff(rig, config, options, List.of("/var/cache/**"), false);
            assertThat(describe(changes)).containsExactlyEntriesOf(KNOWN);
            assertThat(changes).noneMatch(c -> c.path().startsWith(AbsolutePath.of("/var/log")));
            assertThat(changes).extracting(Change::path).isSorted();
        }
    }

    @Test
    void ignoreGlobsLeaveOutPathsUnlessAllIsAsked() throws Exception {
        try (DiffRig rig = new DiffRig()) {
            Config config = rig.config(CONFIG);
            OverlayStrategy.MountOptions options = rig.boot(config);
            rig.makeKnownChanges();
            Map<String, String> all = describe(diff(rig, config, options, List.of("/var/cache/**"), true));
            Map<String, String> expected = new TreeMap<>(KNOWN);
            expected.put("/var/cache/app", "added added 0 dir");
            expected.put("/var/cache/app/blob", "added added 2");
            assertThat(all).containsExactlyEntriesOf(expected);
            assertThat(describe(diff(rig, config, options, List.of(), false))).containsExactlyEntriesOf(expected);
            // A glob on a whole tree, and one on a file name anywhere.
            Map<String, String> fewer = describe(diff(rig, config, options,
                    List.of("/var/cache/**", "/var/lib/foo/**", "/**/*-link"), false));
            assertThat(fewer).containsKey("/var/lib/foo").doesNotContainKeys(
                    "/var/lib/foo/data", "/var/lib/foo/db", "/var/lib/foo/db/big", "/etc/shared-link", "/var/cache/app");
        }
    }

    @Test
    void aPersistedTreeIsNeverReportedEvenWhenItHoldsEverything() throws Exception {
        try (DiffRig rig = new DiffRig()) {
            Config config = rig.config(CONFIG.replace("directories = [\"/var/log\"]",
                    "directories = [\"/var/log\", \"/var/lib/foo\", \"/etc/dirC\"]\nfiles = [\"/etc/hostname\"]"));
            OverlayStrategy.MountOptions options = rig.boot(config);
            rig.makeKnownChanges();
            Map<String, String> described = describe(diff(rig, config, options, List.of("/var/cache/**"), false));
            Map<String, String> expected = new TreeMap<>(KNOWN);
            expected.keySet().removeIf(path -> path.equals("/etc/hostname") || path.startsWith("/var/lib/foo")
                    || path.startsWith("/etc/dirC"));
            assertThat(described).containsExactlyEntriesOf(expected);
        }
    }

    @Test
    void theSummaryCollapsesNewDirectoriesAndPutsTheLargestFirst() throws Exception {
        try (DiffRig rig = new DiffRig()) {
            Config config = rig.config(CONFIG);
            OverlayStrategy.MountOptions options = rig.boot(config);
            rig.makeKnownChanges();
            List<Change> changes = diff(rig, config, options, List.of("/var/cache/**"), false);
            Summary.Result summary = Summary.of(changes, Summary.DEFAULT_LIMIT);
            Map<String, String> shown = new java.util.LinkedHashMap<>();
            for (Summary.Directory directory : summary.top()) {
                shown.put(directory.path().value(), directory.bytes() + " bytes " + directory.changes() + " changes");
            }
            assertThat(shown).containsExactly(
                    Map.entry("/var/lib/foo", "1005 bytes 4 changes"),
                    Map.entry("/etc", "20 bytes 9 changes"),
                    Map.entry("/etc/dirB/y", "2 bytes 2 changes"),
                    Map.entry("/etc/dirC", "2 bytes 2 changes"));
            assertThat(summary.more()).isZero();
            assertThat(summary.top().stream().mapToInt(Summary.Directory::changes).sum()).isEqualTo(changes.size());

            Summary.Result limited = Summary.of(changes, 2);
            assertThat(limited.top()).extracting(d -> d.path().value()).containsExactly("/var/lib/foo", "/etc");
            assertThat(limited.more()).isEqualTo(2);

            try (Fs upper = Fs.open(new FfmSyscalls(), options.upperdir())) {
                Summary.Suggestions lines = Summary.suggest(limited.top(), upper::stat, Accounts.load(rig.root));
                // /var/lib/foo is new as a whole; /etc is not: its changed paths are suggested one by one
                // (deletions have nothing to keep), never /etc itself.
                assertThat(lines.directories()).containsExactly(
                        "{ path = \"/var/lib/foo\", owner = \"alice\", group = \"alice\", mode = \"0750\" }");
                assertThat(lines.files()).contains(
                        "{ path = \"/etc/hostname\", mode = \"0644\" }",
                        "{ path = \"/etc/own-me\", owner = \"alice\", group = \"alice\", mode = \"0644\" }",
                        "{ path = \"/etc/mode-me\", mode = \"0600\" }")
                        .noneMatch(line -> line.contains("\"/etc\"") || line.contains("/etc/motd") || line.contains("dirA"));
            }
        }
    }

    @Test
    void aMountInsideTheUpperIsNotEntered() throws Exception {
        try (DiffRig rig = new DiffRig()) {
            Config config = rig.config(CONFIG);
            OverlayStrategy.MountOptions options = rig.boot(config);
            rig.sh("mkdir -p srv/data");
            java.nio.file.Path inUpper = java.nio.file.Path.of(options.upperdir(), "srv/data");
            dev.lethe.testing.Sh.run("mount", "-t", "tmpfs", "lethe-diff-inner", inUpper.toString());
            java.nio.file.Files.writeString(inUpper.resolve("not-ours"), "x");
            // Map.of has no fixed order: compare as maps, not as sequences.
            assertThat(describe(diff(rig, config, options, List.of(), false))).isEqualTo(Map.of(
                    "/srv", "added added 0 dir", "/srv/data", "added added 0 dir"));
            dev.lethe.testing.Sh.run("umount", inUpper.toString());
        }
    }
}
