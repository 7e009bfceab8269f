package dev.lethe.root.btrfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy.WipeRequest;
import dev.lethe.root.WipePlan;
import dev.lethe.root.WipeStep;
import dev.lethe.root.BtrfsStep;
import dev.lethe.root.btrfs.Btrfs.Listed;
import dev.lethe.root.btrfs.Btrfs.Subvolume;
import dev.lethe.root.btrfs.Registry.Entry;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The btrfs wipe's plan for each situation the disk can be in, as a table: pure, no disk. The
 * observation ({@link Layout}) is what {@code Inspection} reads; the expected steps are the order
 * the crash-safety argument rests on (record before rename, rename before snapshot).
 */
class BtrfsWipePlannerTest {

    private static final Names NAMES = new Names("/dev/vdb", "@root", "@root-blank");
    private static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");
    private static final Instant T1 = Instant.parse("2026-11-28T21:45:00Z");
    private static final String A0 = "@root.20261127T080000Z";
    private static final String A1 = "@root.20261128T214500Z";
    private static final String REGISTRY = "lethe-archives/.lethe-registry";

    /** The blank, taken from a root set up by hand (ID 256) in transaction 10. */
    private static final Subvolume BLANK = new Subvolume(257, "blank-uuid", "setup-uuid", 10, 10);
    /** A root made from the blank and written to by a boot since (generation past its creation). */
    private static final Subvolume USED = new Subvolume(300, "root-uuid", "blank-uuid", 40, 20);
    /** A root made from the blank that nothing wrote to since. */
    private static final Subvolume FRESH = new Subvolume(301, "fresh-uuid", "blank-uuid", 20, 20);
    /** The root the blank was taken from, untouched since: a machine set up and never booted. */
    private static final Subvolume NEVER_BOOTED = new Subvolume(256, "setup-uuid", "", 9, 5);

    private static final Entry OLDER = new Entry(A0, "@root", "old-uuid", 290, T0, false);
    private static final Listed OLDER_LISTED = new Listed(290, 5, "old-uuid", "lethe-archives/" + A0);

    private record Case(String situation, Layout layout, WipeRequest request, List<WipeStep> steps,
                        Optional<ArchiveRef> archive) {
        @Override
        public String toString() {
            return situation;
        }
    }

    private static Layout layout(Optional<Subvolume> root, List<Listed> listed, List<Entry> records, boolean archives) {
        return new Layout(root, BLANK, listed, new Registry(records.stream().map(Entry::line).toList()), archives);
    }

    private static BtrfsStep record(String name, Subvolume root, Instant created, boolean degraded) {
        return new BtrfsStep.Record(REGISTRY, "lethe-archives/" + name, name, "@root", root.uuid(),
                Long.toString(root.id()), created.toString(), degraded);
    }

    private static final BtrfsStep SNAPSHOT = new BtrfsStep.Snapshot("@root-blank", "@root");
    private static final BtrfsStep MKDIR = new BtrfsStep.MakeArchives("/dev/vdb", "lethe-archives", 0700);

    static Stream<Case> cases() {
        WipeRequest plain = new WipeRequest(T1, false);
        return Stream.of(
                new Case("ordinary first wipe: no archives folder yet",
                        layout(Optional.of(USED), List.of(), List.of(), false), plain,
                        List.of(MKDIR, record(A1, USED, T1, false),
                                new BtrfsStep.Rename("@root", "lethe-archives/" + A1, false), SNAPSHOT),
                        Optional.of(new ArchiveRef(A1, T1, false))),
                new Case("ordinary, the folder and an older archive there",
                        layout(Optional.of(USED), List.of(OLDER_LISTED), List.of(OLDER), true), plain,
                        List.of(record(A1, USED, T1, false), new BtrfsStep.Rename("@root", "lethe-archives/" + A1, false),
                                SNAPSHOT),
                        Optional.of(new ArchiveRef(A1, T1, false))),
                new Case("stale record: a wipe recorded the rename and died before it",
                        layout(Optional.of(USED), List.of(), List.of(new Entry(A0, "@root", "root-uuid", 300, T0, false)), true),
                        plain,
                        List.of(new BtrfsStep.ForgetRecord(REGISTRY, "lethe-archives/" + A0, A0, "@root", "root-uuid"),
                                record(A1, USED, T1, false), new BtrfsStep.Rename("@root", "lethe-archives/" + A1, false),
                                SNAPSHOT),
                        Optional.of(new ArchiveRef(A1, T1, false))),
                new Case("degraded: the boot did not finish activation",
                        layout(Optional.of(USED), List.of(OLDER_LISTED), List.of(OLDER), true), new WipeRequest(T1, true),
                        List.of(record(A1 + ".degraded", USED, T1, true),
                                new BtrfsStep.Rename("@root", "lethe-archives/" + A1 + ".degraded", true), SNAPSHOT),
                        Optional.of(new ArchiveRef(A1 + ".degraded", T1, true))),
                new Case("renamed, not recreated: a wipe died before the snapshot",
                        layout(Optional.empty(), List.of(OLDER_LISTED, new Listed(300, 5, "root-uuid", "lethe-archives/" + A1)),
                                List.of(OLDER, new Entry(A1, "@root", "root-uuid", 300, T1, false)), true), plain,
                        List.of(new BtrfsStep.FoundArchived("@root", "lethe-archives/" + A1, true), SNAPSHOT),
                        Optional.of(new ArchiveRef(A1, T1, false))),
                new Case("renamed, not recorded: the registry restored from an older copy",
                        layout(Optional.empty(), List.of(OLDER_LISTED,
                                        new Listed(300, 5, "root-uuid", "lethe-archives/" + A1 + ".degraded")),
                                List.of(OLDER), true), new WipeRequest(T1.plusSeconds(60), false),
                        List.of(new BtrfsStep.FoundArchived("@root", "lethe-archives/" + A1 + ".degraded", false),
                                record(A1 + ".degraded", USED, T1, true), SNAPSHOT),
                        Optional.of(new ArchiveRef(A1 + ".degraded", T1, true))),
                new Case("already fresh: nothing has written to the root since the last wipe",
                        layout(Optional.of(FRESH), List.of(OLDER_LISTED), List.of(OLDER), true), plain,
                        List.of(new BtrfsStep.AlreadyFresh("@root", "@root-blank")),
                        Optional.of(new ArchiveRef(A0, T0, false))),
                new Case("never booted: the root the blank was taken from, untouched",
                        layout(Optional.of(NEVER_BOOTED), List.of(), List.of(), false), new WipeRequest(T1, true),
                        List.of(new BtrfsStep.AlreadyFresh("@root", "@root-blank")), Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void plansTheStepsOfTheSituation(Case c) throws RootException {
        WipePlan plan = BtrfsWipePlanner.plan(NAMES, c.layout(), c.request());
        assertThat(plan.steps()).isEqualTo(c.steps());
        assertThat(plan.archive()).isEqualTo(c.archive());
    }

    @Test
    void theStepsSayTheSentencesTheCommandsPrint() throws RootException {
        WipePlan plan = BtrfsWipePlanner.plan(NAMES, layout(Optional.of(USED), List.of(),
                List.of(new Entry(A0, "@root", "root-uuid", 300, T0, false)), true), new WipeRequest(T1, true));
        assertThat(plan.sentences()).containsExactly(
                "forget the record of lethe-archives/" + A0 + ": an interrupted wipe wrote it but did not archive /@root",
                "record lethe-archives/" + A1 + ".degraded (subvolume ID 300, UUID root-uuid) in lethe-archives/.lethe-registry",
                "keep /@root as archive lethe-archives/" + A1 + ".degraded (a rename: constant time), marked degraded: the"
                        + " previous boot did not finish activation, so it is kept until someone prunes it by id",
                "make /@root a writable snapshot of /@root-blank");
        assertThat(BtrfsWipePlanner.plan(NAMES, layout(Optional.of(FRESH), List.of(), List.of(), true),
                new WipeRequest(T1, false)).sentences()).containsExactly("/@root is an untouched snapshot of /@root-blank"
                + " (nothing has written to it since it was made): nothing to archive or recreate");
    }

    @Test
    void refusesAMissingRootNoInterruptedWipeExplains() {
        Layout missing = layout(Optional.empty(), List.of(), List.of(), true);
        assertThatThrownBy(() -> BtrfsWipePlanner.plan(NAMES, missing, new WipeRequest(T1, false)))
                .isInstanceOf(RootException.class).hasMessageContaining("@root does not exist on /dev/vdb");
        assertThatThrownBy(() -> BtrfsWipePlanner.check(NAMES, missing)).isInstanceOf(RootException.class);
    }

    @Test
    void refusesAnArchiveNameAlreadyTaken() {
        Layout taken = layout(Optional.of(USED), List.of(new Listed(290, 5, "old-uuid", "lethe-archives/" + A1)),
                List.of(new Entry(A1, "@root", "old-uuid", 290, T1, false)), true);
        assertThatThrownBy(() -> BtrfsWipePlanner.plan(NAMES, taken, new WipeRequest(T1, false)))
                .isInstanceOf(RootException.class).hasMessageContaining("already exists");
    }
}
