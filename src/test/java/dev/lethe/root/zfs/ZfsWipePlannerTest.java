package dev.lethe.root.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy.WipeRequest;
import dev.lethe.root.WipeStep;
import dev.lethe.root.ZfsStep;
import dev.lethe.root.zfs.Zfs.Node;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The zfs wipe planner as a table, no pool: for each situation a wipe meets (fresh, cut short after
 * each step, degraded, leftover diff clones, child datasets with and without a blank), the steps and
 * the commands they run.
 */
class ZfsWipePlannerTest {
    private static final ZfsNames N = new ZfsNames("tank/root", "blank", "tank/lethe-archives", "root");
    private static final Instant MONDAY = Instant.parse("2026-11-23T04:00:00Z");
    private static final String ARCHIVE = "tank/lethe-archives/root.20261123T040000Z";
    private static final WipeRequest NORMAL = new WipeRequest(MONDAY, false);

    // -------------------------------------------------------------------------------------------
    // a small language for pools: "name k=v k=v", a property written k:=v is set locally

    private static Map<String, Node> pool(String... lines) {
        Map<String, Node> nodes = new LinkedHashMap<>();
        for (String line : lines) {
            String[] words = line.split(" ");
            Map<String, String> values = new LinkedHashMap<>();
            Map<String, String> sources = new LinkedHashMap<>();
            values.put("type", words[0].contains("@") ? "snapshot" : "filesystem");
            sources.put("type", "-");
            for (int i = 1; i < words.length; i++) {
                boolean local = words[i].contains(":=");
                String[] kv = words[i].split(local ? ":=" : "=", 2);
                values.put(kv[0], kv[1]);
                sources.put(kv[0], local ? "local" : "default");
            }
            nodes.put(words[0], new Node(words[0], values, sources));
        }
        return nodes;
    }

    /** The root as a machine leaves it: var with a blank, var/cache made since, all mounted. */
    private static final Map<String, Node> USED_ROOT = pool(
            "tank/root guid=11 mounted=yes mountpoint:=/ compression:=lz4 utf8only:=on",
            "tank/root@blank guid=12",
            "tank/root/var guid=21 mounted=yes",
            "tank/root/var@blank guid=22",
            "tank/root/var/cache guid=31 mounted=yes");

    private static final Map<String, Node> NO_ARCHIVES = Map.of();
    private static final Map<String, Node> ONE_OLDER_ARCHIVE = pool("tank/lethe-archives",
            "tank/lethe-archives/root.20261122T040000Z lethe:of:=tank/root lethe:state:=done");

    private static ZfsWipePlanner.Plan plan(Map<String, Node> archives, Map<String, Node> root,
                                            Map<String, Node> interrupted, WipeRequest request) throws RootException {
        return ZfsWipePlanner.plan(N, new ZfsWipePlanner.Observation(List.of(), archives, root, interrupted), request);
    }

    private static List<String> commands(List<WipeStep> steps) {
        return steps.stream().flatMap(step -> ZfsCommands.of((ZfsStep) step).stream()).map(c -> String.join(" ", c)).toList();
    }

    private static final List<String> HARDEN_AND_FINISH = List.of(
            "zfs inherit -r mountpoint " + ARCHIVE,
            "zfs inherit -r readonly " + ARCHIVE,
            "zfs set readonly=on " + ARCHIVE,
            "zfs set canmount=noauto " + ARCHIVE,
            "zfs set canmount=noauto " + ARCHIVE + "/var",
            "zfs set canmount=noauto " + ARCHIVE + "/var/cache",
            "zfs set lethe:state=done " + ARCHIVE);

    @Test
    void aFirstWipeMakesTheArchivesParentAndArchivesEveryDataset() throws Exception {
        ZfsWipePlanner.Plan plan = plan(NO_ARCHIVES, USED_ROOT, Map.of(), NORMAL);

        assertThat(plan.archive()).isEqualTo(ARCHIVE);
        assertThat(plan.steps()).containsExactly(
                new ZfsStep.Unmount("tank/root/var/cache"),
                new ZfsStep.Unmount("tank/root/var"),
                new ZfsStep.Unmount("tank/root"),
                new ZfsStep.CreateArchives("tank/lethe-archives"),
                new ZfsStep.Rename("tank/root", ARCHIVE),
                new ZfsStep.Mark(ARCHIVE, "tank/root", List.of(
                        new ZfsStep.Property(ARCHIVE, "lethe:archive", "yes"),
                        new ZfsStep.Property(ARCHIVE, "lethe:of", "tank/root"),
                        new ZfsStep.Property(ARCHIVE, "lethe:created", "2026-11-23T04:00:00Z"),
                        new ZfsStep.Property(ARCHIVE, "lethe:degraded", "no"),
                        new ZfsStep.Property(ARCHIVE, "lethe:state", "pending"),
                        new ZfsStep.Property(ARCHIVE, "lethe:guid", "11"),
                        new ZfsStep.Property(ARCHIVE + "/var", "lethe:guid", "21"),
                        new ZfsStep.Property(ARCHIVE + "/var/cache", "lethe:guid", "31"))),
                // utf8only comes from the origin and cannot be given; the rest of the root's own properties are.
                new ZfsStep.Clone(ARCHIVE, "tank/root", "blank", List.of("mountpoint=/", "compression=lz4")),
                new ZfsStep.Clone(ARCHIVE + "/var", "tank/root/var", "blank", List.of()),
                new ZfsStep.KeepInArchive(ARCHIVE + "/var/cache", "it has no @blank snapshot"),
                new ZfsStep.Harden(ARCHIVE, List.of(ARCHIVE, ARCHIVE + "/var", ARCHIVE + "/var/cache")),
                new ZfsStep.Finish(ARCHIVE));
        List<String> commands = commands(plan.steps());
        assertThat(commands.subList(0, 6)).containsExactly(
                "zfs unmount tank/root/var/cache", "zfs unmount tank/root/var", "zfs unmount tank/root",
                "zfs create -o canmount=off -o mountpoint=none tank/lethe-archives",
                "zfs rename tank/root " + ARCHIVE,
                "zfs set lethe:archive=yes " + ARCHIVE);
        assertThat(commands).containsSubsequence(
                "zfs clone -o mountpoint=/ -o compression=lz4 " + ARCHIVE + "@blank tank/root",
                "zfs promote tank/root",
                "zfs clone " + ARCHIVE + "/var@blank tank/root/var",
                "zfs promote tank/root/var");
        assertThat(commands.subList(commands.size() - 7, commands.size())).isEqualTo(HARDEN_AND_FINISH);
        assertThat(plan.steps().get(4).describe()).isEqualTo("rename tank/root to " + ARCHIVE
                + ": the old root, with its child datasets and snapshots, is the archive");
    }

    @Test
    void withTheArchivesParentThereAndNothingMountedOnlyTheArchiveIsMade() throws Exception {
        Map<String, Node> unmounted = pool("tank/root guid=11 mounted=no", "tank/root@blank guid=12");
        List<WipeStep> steps = plan(ONE_OLDER_ARCHIVE, unmounted, Map.of(), NORMAL).steps();
        assertThat(steps.getFirst()).isEqualTo(new ZfsStep.Rename("tank/root", ARCHIVE));
        assertThat(steps).hasSize(5).noneMatch(s -> s instanceof ZfsStep.CreateArchives || s instanceof ZfsStep.Unmount);
    }

    @Test
    void aDegradedWipeNamesAndMarksTheArchiveSo() throws Exception {
        ZfsWipePlanner.Plan plan = plan(NO_ARCHIVES, USED_ROOT, Map.of(), new WipeRequest(MONDAY, true));
        assertThat(plan.archive()).isEqualTo(ARCHIVE + ".degraded");
        assertThat(commands(plan.steps())).contains("zfs set lethe:degraded=yes " + ARCHIVE + ".degraded");
    }

    @Test
    void leftoverDiffClonesGoFirst() throws Exception {
        ZfsStep.DestroyLeftover leftover = new ZfsStep.DestroyLeftover("tank/lethe-diff.root.4242", "tank/root@blank",
                "process 4242");
        List<WipeStep> steps = ZfsWipePlanner.plan(N, new ZfsWipePlanner.Observation(List.of(leftover), NO_ARCHIVES,
                USED_ROOT, Map.of()), NORMAL).steps();
        assertThat(steps.getFirst()).isEqualTo(leftover);
        assertThat(ZfsCommands.of(leftover)).containsExactly(List.of("zfs", "destroy", "-r", "tank/lethe-diff.root.4242"));
        assertThat(leftover.describe()).isEqualTo("destroy tank/lethe-diff.root.4242, a clone of tank/root@blank that a "
                + "lethe diff (process 4242, no longer running) left behind");
    }

    /** The archive's tree as a wipe cut short after the rename leaves it, with some marks set. */
    private static Map<String, Node> renamed(String... marks) {
        String extra = marks.length == 0 ? "" : " " + String.join(" ", marks);
        return pool(ARCHIVE + " guid=11 mountpoint:=/ compression:=lz4" + extra,
                ARCHIVE + "@blank guid=12",
                ARCHIVE + "/var guid=21",
                ARCHIVE + "/var@blank guid=22",
                ARCHIVE + "/var/cache guid=31");
    }

    private static Map<String, Node> archivesWith(Map<String, Node> archive) {
        Map<String, Node> listing = new LinkedHashMap<>(ONE_OLDER_ARCHIVE);
        archive.forEach((name, node) -> {
            if (!name.contains("/var")) {
                listing.put(name, node);
            }
        });
        return listing;
    }

    @Test
    void cutShortAfterTheRenameItFinishesThatArchiveAndMakesNoOther() throws Exception {
        Map<String, Node> archive = renamed();
        ZfsWipePlanner.Plan plan = plan(archivesWith(archive), Map.of(), archive, new WipeRequest(MONDAY.plusSeconds(600), false));

        assertThat(plan.archive()).as("the archive of the wipe cut short, not one named for now").isEqualTo(ARCHIVE);
        assertThat(plan.steps().getFirst()).isEqualTo(new ZfsStep.Resume("tank/root", ARCHIVE));
        assertThat(plan.steps().get(1)).isInstanceOfSatisfying(ZfsStep.Mark.class, mark -> assertThat(mark.marks()).hasSize(8));
        assertThat(plan.steps().subList(2, plan.steps().size())).containsExactly(
                new ZfsStep.Clone(ARCHIVE, "tank/root", "blank", List.of("mountpoint=/", "compression=lz4")),
                new ZfsStep.Clone(ARCHIVE + "/var", "tank/root/var", "blank", List.of()),
                new ZfsStep.KeepInArchive(ARCHIVE + "/var/cache", "it has no @blank snapshot"),
                new ZfsStep.Harden(ARCHIVE, List.of(ARCHIVE, ARCHIVE + "/var", ARCHIVE + "/var/cache")),
                new ZfsStep.Finish(ARCHIVE));
    }

    @Test
    void cutShortAmidTheMarksItSetsOnlyTheMissingOnesAndNeverRestartsTheState() throws Exception {
        Map<String, Node> archive = renamed("lethe:archive:=yes", "lethe:of:=tank/root", "lethe:created:=2026-11-23T04:00:00Z",
                "lethe:degraded:=no", "lethe:state:=pending", "lethe:guid:=11");
        ZfsWipePlanner.Plan plan = plan(archivesWith(archive), Map.of(), archive, NORMAL);
        assertThat(plan.steps().get(1)).isEqualTo(new ZfsStep.Mark(ARCHIVE, "tank/root", List.of(
                new ZfsStep.Property(ARCHIVE + "/var", "lethe:guid", "21"),
                new ZfsStep.Property(ARCHIVE + "/var/cache", "lethe:guid", "31"))));
    }

    private static final String[] ALL_MARKS = {"lethe:archive:=yes", "lethe:of:=tank/root",
            "lethe:created:=2026-11-23T04:00:00Z", "lethe:degraded:=no", "lethe:state:=pending", "lethe:guid:=11"};

    private static Map<String, Node> fullyMarked() {
        Map<String, Node> archive = new LinkedHashMap<>(renamed(ALL_MARKS));
        archive.putAll(pool(ARCHIVE + "/var guid=21 lethe:guid:=21", ARCHIVE + "/var/cache guid=31 lethe:guid:=31"));
        return archive;
    }

    @Test
    void cutShortBeforeAPromoteItPromotesAndClonesWhatIsMissing() throws Exception {
        Map<String, Node> archive = fullyMarked();
        Map<String, Node> root = pool("tank/root guid=41 origin=" + ARCHIVE + "@blank mountpoint:=/ compression:=lz4");
        ZfsWipePlanner.Plan plan = plan(archivesWith(archive), root, archive, NORMAL);
        assertThat(plan.steps()).containsExactly(
                new ZfsStep.Resume("tank/root", ARCHIVE),
                new ZfsStep.Promote("tank/root", "blank", ARCHIVE),
                new ZfsStep.Clone(ARCHIVE + "/var", "tank/root/var", "blank", List.of()),
                new ZfsStep.KeepInArchive(ARCHIVE + "/var/cache", "it has no @blank snapshot"),
                new ZfsStep.Harden(ARCHIVE, List.of(ARCHIVE, ARCHIVE + "/var", ARCHIVE + "/var/cache")),
                new ZfsStep.Finish(ARCHIVE));
        assertThat(plan.steps().get(1).describe()).isEqualTo("promote tank/root: tank/root@blank is its own again and "
                + ARCHIVE + " a clone of it");
    }

    @Test
    void cutShortBeforeTheLastMarkItOnlyHardensAndFinishes() throws Exception {
        Map<String, Node> archive = fullyMarked();
        Map<String, Node> root = pool("tank/root guid=41", "tank/root@blank", "tank/root/var guid=51", "tank/root/var@blank");
        List<String> commands = commands(plan(archivesWith(archive), root, archive, NORMAL).steps());
        assertThat(commands).isEqualTo(HARDEN_AND_FINISH);
    }

    @Test
    void aChildWithABlankUnderAChildWithoutOneStaysInTheArchive() throws Exception {
        Map<String, Node> root = pool("tank/root guid=11", "tank/root@blank", "tank/root/srv guid=21",
                "tank/root/srv/www guid=31", "tank/root/srv/www@blank");
        List<WipeStep> steps = plan(NO_ARCHIVES, root, Map.of(), NORMAL).steps();
        assertThat(steps).contains(
                new ZfsStep.KeepInArchive(ARCHIVE + "/srv", "it has no @blank snapshot"),
                new ZfsStep.KeepInArchive(ARCHIVE + "/srv/www", "its parent is not made anew"));
        assertThat(steps).filteredOn(ZfsStep.Clone.class::isInstance).hasSize(1);
    }

    @Test
    void refusals() {
        assertThatThrownBy(() -> plan(NO_ARCHIVES, Map.of(), Map.of(), NORMAL))
                .isInstanceOf(RootException.class).hasMessageContaining("dataset tank/root does not exist");
        Map<String, Node> taken = new LinkedHashMap<>(ONE_OLDER_ARCHIVE);
        taken.putAll(pool(ARCHIVE + " lethe:of:=tank/root lethe:state:=done"));
        assertThatThrownBy(() -> plan(taken, USED_ROOT, Map.of(), NORMAL))
                .isInstanceOf(RootException.class).hasMessageContaining("already ran within this second");
        Map<String, Node> two = new LinkedHashMap<>(archivesWith(renamed()));
        two.putAll(pool("tank/lethe-archives/root.20261124T040000Z", "tank/lethe-archives/root.20261124T040000Z@blank"));
        assertThatThrownBy(() -> plan(two, Map.of(), renamed(), NORMAL))
                .isInstanceOf(RootException.class).hasMessageContaining("more than one unfinished wipe of tank/root");
        Map<String, Node> noBlank = pool(ARCHIVE + " guid=11", ARCHIVE + "@other");
        Map<String, Node> listing = new LinkedHashMap<>(noBlank);
        listing.put(ARCHIVE + "@blank", pool(ARCHIVE + "@blank").get(ARCHIVE + "@blank"));
        assertThatThrownBy(() -> plan(listing, Map.of(), noBlank, NORMAL))
                .isInstanceOf(RootException.class).hasMessageContaining("cannot make tank/root anew");
    }

    @Test
    void anArchiveOfAnotherRootOrAFinishedOneIsNoInterruptedWipe() throws Exception {
        Map<String, Node> archives = pool("tank/lethe-archives",
                "tank/lethe-archives/root.20261120T040000Z lethe:of:=tank/other lethe:state:=pending",
                "tank/lethe-archives/root.20261121T040000Z lethe:of:=tank/root lethe:state:=done",
                "tank/lethe-archives/notours lethe:of:=tank/root lethe:state:=pending");
        assertThat(ZfsWipePlanner.interrupted(N, archives, true)).isEmpty();
        assertThat(plan(archives, USED_ROOT, Map.of(), NORMAL).steps())
                .contains(new ZfsStep.Rename("tank/root", ARCHIVE)).noneMatch(ZfsStep.Resume.class::isInstance);
    }
}
