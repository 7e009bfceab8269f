package dev.lethe.root.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy.WipeRequest;
import dev.lethe.root.RootStrategy.WipeResult;
import dev.lethe.testing.Sh;
import dev.lethe.testing.Trees;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The zfs strategy on real ZFS: zfs-fuse, a file-backed pool per test (see {@link TestPool} for its
 * shape). Needs root in a private mount namespace, as ./test runs the suite.
 */
@ExtendWith(ZfsFuse.ForTheClass.class)
class ZfsStrategyTest {
    private static final Instant MONDAY = Instant.parse("2026-11-23T04:00:00Z");

    @Test
    void wipeArchivesTheOldRootAndMakesItAnewFromTheBlank() throws Exception {
        try (TestPool p = new TestPool()) {
            Map<String, String> used = Trees.manifest(p.rootMount);
            p.zfs("snapshot", p.root + "@after-blank");
            ZfsStrategy strategy = p.strategy();
            strategy.check();
            List<String> plan = strategy.planWipe(new WipeRequest(MONDAY, false)).sentences();

            WipeResult result = strategy.wipe(new WipeRequest(MONDAY, false));

            String archive = p.pool + "/lethe-archives/root.20261123T040000Z";
            assertThat(result.archive()).isEqualTo(new ArchiveRef("root.20261123T040000Z", MONDAY, false));
            assertThat(result.sentences()).isEqualTo(plan);
            assertThat(plan).anyMatch(step -> step.startsWith("rename " + p.root + " to " + archive));
            assertThat(plan).anyMatch(step -> step.startsWith("keep " + archive + "/var/cache only in the archive"));

            assertThat(Trees.manifest(p.rootMount)).as("the new root is the blank").isEqualTo(p.blank);
            assertThat(strategy.read(result.archive(), Trees::manifest)).as("the archive is the old root").isEqualTo(used);
            assertThat(Trees.manifest(p.storeMount)).as("the store").isEqualTo(p.storeContent);
            assertThat(strategy.archives()).containsExactly(result.archive());
            assertThat(strategy.sizeOf(result.archive())).isPositive();

            // The root owns the blank again; the archive is a clone of it, holding the later snapshot.
            assertThat(p.get("origin", p.root)).isEqualTo("-");
            assertThat(p.get("origin", p.root + "/var")).isEqualTo("-");
            assertThat(p.exists(p.root + "@blank")).isTrue();
            assertThat(p.exists(p.root + "/var@blank")).isTrue();
            assertThat(p.exists(p.root + "/var/cache")).as("made after the blank: only in the archive").isFalse();
            assertThat(p.get("origin", archive)).isEqualTo(p.root + "@blank");
            assertThat(p.get("origin", archive + "/var")).isEqualTo(p.root + "/var@blank");
            assertThat(p.exists(archive + "@after-blank")).as("no snapshot is destroyed").isTrue();
            // The new root has the old one's own properties; the archive is never mounted by itself.
            assertThat(p.get("mountpoint", p.root)).isEqualTo(p.rootMount.toString());
            assertThat(p.get("mounted", p.root)).isEqualTo("yes");
            for (String dataset : List.of(archive, archive + "/var", archive + "/var/cache")) {
                assertThat(p.get("mountpoint", dataset)).isEqualTo("none");
                assertThat(p.get("canmount", dataset)).isEqualTo("noauto");
                assertThat(p.get("readonly", dataset)).isEqualTo("on");
                assertThat(p.get("mounted", dataset)).isEqualTo("no");
                assertThat(p.get("lethe:guid", dataset)).isEqualTo(p.get("guid", dataset));
            }
            assertThat(p.get("lethe:archive", archive)).isEqualTo("yes");
            assertThat(p.get("lethe:of", archive)).isEqualTo(p.root);
            assertThat(p.get("lethe:created", archive)).isEqualTo("2026-11-23T04:00:00Z");
            assertThat(p.get("lethe:degraded", archive)).isEqualTo("no");
            assertThat(p.get("lethe:state", archive)).isEqualTo("done");
            assertThat(p.get("lethe:archive", p.root)).as("the root carries no mark").isEqualTo("-");

            // read() mounted read-only and put everything back.
            strategy.read(result.archive(), dir -> {
                assertThatThrownBy(() -> Files.writeString(dir.resolve("etc/new"), "x")).isInstanceOf(java.io.IOException.class);
                return null;
            });
            assertThat(p.get("mountpoint", archive)).isEqualTo("none");
            assertThat(p.get("mounted", archive + "/var")).isEqualTo("no");
        }
    }

    @Test
    void aSecondWipeMakesASecondArchiveAndKeepsTheFirst() throws Exception {
        try (TestPool p = new TestPool()) {
            Map<String, String> first = Trees.manifest(p.rootMount);
            ZfsStrategy strategy = p.strategy();
            ArchiveRef older = strategy.wipe(new WipeRequest(MONDAY, false)).archive();
            Map<String, String> second = p.use("boot-2");
            ArchiveRef newer = strategy.wipe(new WipeRequest(MONDAY.plus(Duration.ofDays(1)), true)).archive();

            assertThat(newer).isEqualTo(new ArchiveRef("root.20261124T040000Z.degraded", MONDAY.plus(Duration.ofDays(1)), true));
            assertThat(p.get("lethe:degraded", p.pool + "/lethe-archives/" + newer.id())).isEqualTo("yes");
            assertThat(strategy.archives()).containsExactly(newer, older);
            assertThat(strategy.read(older, Trees::manifest)).isEqualTo(first);
            assertThat(strategy.read(newer, Trees::manifest)).isEqualTo(second);
            assertThat(Trees.manifest(p.rootMount)).isEqualTo(p.blank);
            assertThat(Trees.manifest(p.storeMount)).isEqualTo(p.storeContent);
            // Both archives are clones of the root's blank, so either can go without the other.
            assertThat(p.get("origin", p.pool + "/lethe-archives/" + older.id())).isEqualTo(p.root + "@blank");
            assertThat(p.get("origin", p.pool + "/lethe-archives/" + newer.id())).isEqualTo(p.root + "@blank");
        }
    }

    @Test
    void destroyingTheOlderArchiveLeavesTheRootTheNewerAndTheStore() throws Exception {
        try (TestPool p = new TestPool()) {
            ZfsStrategy strategy = p.strategy();
            ArchiveRef older = strategy.wipe(new WipeRequest(MONDAY, false)).archive();
            Map<String, String> second = p.use("boot-2");
            ArchiveRef newer = strategy.wipe(new WipeRequest(MONDAY.plus(Duration.ofDays(1)), false)).archive();

            strategy.destroy(older);

            assertThat(p.exists(p.pool + "/lethe-archives/" + older.id())).isFalse();
            assertThat(strategy.archives()).containsExactly(newer);
            assertThat(strategy.read(newer, Trees::manifest)).isEqualTo(second);
            assertThat(Trees.manifest(p.rootMount)).isEqualTo(p.blank);
            assertThat(p.exists(p.root + "@blank")).isTrue();
            assertThat(Trees.manifest(p.storeMount)).isEqualTo(p.storeContent);

            strategy.destroy(newer);
            assertThat(strategy.archives()).isEmpty();
            assertThat(Trees.manifest(p.rootMount)).isEqualTo(p.blank);
            // The root still wipes after its archives are gone: its blank is its own.
            strategy.wipe(new WipeRequest(MONDAY.plus(Duration.ofDays(2)), false));
            assertThat(Trees.manifest(p.rootMount)).isEqualTo(p.blank);
        }
    }

    @Test
    void destroyRefusesWhatItCannotProveIsItsOwnArchive() throws Exception {
        try (TestPool p = new TestPool()) {
            ZfsStrategy strategy = p.strategy();
            ArchiveRef real = strategy.wipe(new WipeRequest(MONDAY, false)).archive();
            String archives = p.pool + "/lethe-archives/";

            // Named like an archive, not marked.
            p.zfs("create", "-o", "mountpoint=none", archives + "root.20200101T000000Z");
            // Marked, but its guid is not the one recorded: not the dataset lethe archived.
            p.zfs("create", "-o", "mountpoint=none", archives + "root.20200102T000000Z");
            mark(p, archives + "root.20200102T000000Z", "12345");
            // Marked with its own guid, but not a clone of the root's blank.
            p.zfs("create", "-o", "mountpoint=none", archives + "root.20200103T000000Z");
            mark(p, archives + "root.20200103T000000Z", p.get("guid", archives + "root.20200103T000000Z"));
            // A real archive with a dataset someone made inside it later.
            p.zfs("set", "readonly=off", archives + real.id());
            p.zfs("create", archives + real.id() + "/mine");
            String before = p.state();

            Map<String, String> refusals = new LinkedHashMap<>();
            refusals.put("root.20200101T000000Z", "not marked as lethe's archive");
            refusals.put("root.20200102T000000Z", "is not the dataset lethe archived");
            refusals.put("root.20200103T000000Z", "is not a clone of " + p.root + "@blank");
            refusals.put(real.id(), real.id() + "/mine is not the dataset lethe archived");
            refusals.put("root", "is not the name of an archive");
            refusals.put("persist", "is not the name of an archive");
            refusals.put("../persist", "is not the name of an archive");
            refusals.put("root.20200104T000000Z", "no such archive");
            for (Map.Entry<String, String> refusal : refusals.entrySet()) {
                ArchiveRef ref = new ArchiveRef(refusal.getKey(), MONDAY, false);
                assertThatThrownBy(() -> strategy.destroy(ref)).as(refusal.getKey())
                        .isInstanceOf(RootException.class).hasMessageContaining(refusal.getValue());
                assertThatThrownBy(() -> strategy.read(ref, dir -> null)).as(refusal.getKey())
                        .isInstanceOf(RootException.class);
            }
            assertThat(p.state()).as("nothing touched").isEqualTo(before);
            assertThat(strategy.archives()).as("only the real one is listed").containsExactly(real);
            assertThat(Trees.manifest(p.storeMount)).isEqualTo(p.storeContent);
            assertThat(Trees.manifest(p.rootMount)).isEqualTo(p.blank);
        }
    }

    private static void mark(TestPool p, String dataset, String guid) {
        p.zfs("set", "lethe:archive=yes", dataset);
        p.zfs("set", "lethe:of=" + p.root, dataset);
        p.zfs("set", "lethe:guid=" + guid, dataset);
        p.zfs("set", "lethe:state=done", dataset);
    }

    @Test
    void aMissingDatasetIsRefusedWithNothingTouched() throws Exception {
        try (TestPool p = new TestPool()) {
            refusedUntouched(p, p.strategy(p.pool + "/nosuch", "blank", p.sys),
                    "dataset " + p.pool + "/nosuch does not exist");
        }
    }

    @Test
    void aMissingBlankSnapshotIsRefusedWithNothingTouched() throws Exception {
        try (TestPool p = new TestPool()) {
            refusedUntouched(p, p.strategy(p.root, "pristine", p.sys),
                    "the blank snapshot " + p.root + "@pristine does not exist");
        }
    }

    @Test
    void aRootDatasetThatIsTheStoresIsRefusedWithNothingTouched() throws Exception {
        try (TestPool p = new TestPool()) {
            p.zfs("snapshot", p.store + "@blank");  // even with a blank of its own
            refusedUntouched(p, p.strategy(p.store, "blank", p.sys),
                    "store /persist is on dataset " + p.store + " (mounted at " + p.storeMount + "), which is the root dataset");
        }
    }

    @Test
    void aStoreThatIsADirectoryOnTheRootDatasetIsRefused() throws Exception {
        try (TestPool p = new TestPool()) {
            // The managed root is the root dataset's own mount; /persist is a plain directory on it.
            Files.createDirectories(p.rootMount.resolve("persist"));
            refusedUntouched(p, p.strategy(p.root, "blank", p.rootMount),
                    "store /persist is on dataset " + p.root);
        }
    }

    @Test
    void aStoreDatasetInsideTheRootIsRefusedEvenUnmounted() throws Exception {
        try (TestPool p = new TestPool()) {
            // As in the initrd: nothing mounted yet, but the store's dataset lies inside the root's.
            p.zfs("create", "-o", "mountpoint=/persist", "-o", "canmount=noauto", p.root + "/persist");
            refusedUntouched(p, p.strategy(p.root, "blank", p.sys),
                    "store /persist is dataset " + p.root + "/persist (mountpoint /persist)");
        }
    }

    private static void refusedUntouched(TestPool p, ZfsStrategy strategy, String message) throws Exception {
        String before = p.state();
        Map<String, String> root = Trees.manifest(p.rootMount);
        WipeRequest request = new WipeRequest(MONDAY, false);
        assertThatThrownBy(strategy::check).isInstanceOf(RootException.class).hasMessageContaining(message);
        assertThatThrownBy(() -> strategy.planWipe(request)).isInstanceOf(RootException.class).hasMessageContaining(message);
        assertThatThrownBy(() -> strategy.wipe(request)).isInstanceOf(RootException.class).hasMessageContaining(message);
        assertThat(p.state()).as("nothing touched").isEqualTo(before);
        assertThat(Trees.manifest(p.rootMount)).isEqualTo(root);
        assertThat(Trees.manifest(p.storeMount)).isEqualTo(p.storeContent);
    }

    /**
     * A wipe killed with SIGKILL before its N-th zfs command, for every N until one finishes
     * uncut, each followed by a re-run: afterwards the root is the blank, exactly one archive more
     * holds what the root held, and every earlier archive and the store are intact. Each round
     * wipes the root the previous round made, after a "boot" used it.
     */
    @Test
    void aWipeKilledAtAnyStepAndRunAgainLosesNothingAndArchivesOnce() throws Exception {
        try (TestPool p = new TestPool()) {
            ZfsStrategy strategy = p.strategy();
            Map<String, String> used = Trees.manifest(p.rootMount);
            Map<ArchiveRef, Map<String, String>> kept = new LinkedHashMap<>();
            // Round 1 first dies at the one command later rounds do not have: creating lethe-archives,
            // after unmounting var/cache, var and the root.
            List<Integer> points = new ArrayList<>(List.of(4));
            for (int n = 1; n <= 200; n++) {
                points.add(n);
            }
            int crashes = 0;
            int round = 0;
            for (int point : points) {
                round++;
                Instant now = MONDAY.plus(Duration.ofHours(round));
                boolean degraded = round % 3 == 0;
                OwnJvm.Run crashed = wipeProcess(p, now, degraded, point);
                if (crashed.exit() == 0) {
                    // Past the last command: the wipe finished uncut.
                    ArchiveRef made = new ArchiveRef(crashed.lastLine(), now, degraded);
                    verifyRound(p, strategy, kept, made, used);
                    break;
                }
                assertThat(crashed.exit()).as("round %d, killed before command %d: %s", round, point, crashed.output())
                        .isEqualTo(137);
                crashes++;
                // The re-run is later: had the crash come before the rename, its archive is named for then.
                Instant later = now.plus(Duration.ofMinutes(30));
                OwnJvm.Run again = wipeProcess(p, later, degraded, -1);
                assertThat(again.exit()).as("re-run after a crash before command %d: %s", point, again.output()).isZero();
                ArchiveRef made = new ArchiveRef(again.lastLine(),
                        again.lastLine().contains(stamp(later)) ? later : now, degraded);
                verifyRound(p, strategy, kept, made, used);
                used = p.use("boot-" + (round + 1));
            }
            System.out.println("zfs wipe: killed and re-run at " + crashes + " points");
            assertThat(crashes).as("crash points inside the wipe").isGreaterThanOrEqualTo(15);
            // The first archives are still whole after all the rounds.
            for (Map.Entry<ArchiveRef, Map<String, String>> archive : kept.entrySet()) {
                assertThat(strategy.read(archive.getKey(), Trees::manifest)).as(archive.getKey().id())
                        .isEqualTo(archive.getValue());
            }
        }
    }

    private static String stamp(Instant instant) {
        return java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(instant);
    }

    private static void verifyRound(TestPool p, ZfsStrategy strategy, Map<ArchiveRef, Map<String, String>> kept,
                                    ArchiveRef made, Map<String, String> used) throws Exception {
        assertThat(Trees.manifest(p.rootMount)).as("the root after " + made.id()).isEqualTo(p.blank);
        assertThat(p.get("origin", p.root)).isEqualTo("-");
        assertThat(p.get("origin", p.root + "/var")).isEqualTo("-");
        List<ArchiveRef> expected = new ArrayList<>(kept.keySet());
        expected.addFirst(made);
        assertThat(strategy.archives()).as("exactly one archive more").isEqualTo(expected);
        assertThat(strategy.read(made, Trees::manifest)).as("what the root held").isEqualTo(used);
        assertThat(p.get("lethe:state", p.pool + "/lethe-archives/" + made.id())).isEqualTo("done");
        assertThat(Trees.manifest(p.storeMount)).isEqualTo(p.storeContent);
        LinkedHashMap<ArchiveRef, Map<String, String>> all = new LinkedHashMap<>();
        all.put(made, used);
        all.putAll(kept);
        kept.clear();
        kept.putAll(all);
    }

    /** ZfsWipeMain in a JVM of its own; killed before its {@code crashAt}-th command unless that is -1. */
    private static OwnJvm.Run wipeProcess(TestPool p, Instant now, boolean degraded, int crashAt) throws Exception {
        return OwnJvm.run(crashAt, ZfsWipeMain.class, p.root, "blank", p.sys.toString(),
                Long.toString(now.getEpochSecond()), degraded ? "degraded" : "normal", p.scratch.toString());
    }

    @Test
    void planWipeChangesNothing() throws Exception {
        try (TestPool p = new TestPool()) {
            String before = p.state();
            List<String> plan = p.strategy().planWipe(new WipeRequest(MONDAY, true)).sentences();
            assertThat(plan).isNotEmpty();
            assertThat(plan.toString()).contains("root.20261123T040000Z.degraded");
            assertThat(p.state()).isEqualTo(before);
            assertThat(Sh.run("zfs", "list", "-H", "-o", "name", "-r", p.pool)).doesNotContain("lethe-archives");
        }
    }
}
