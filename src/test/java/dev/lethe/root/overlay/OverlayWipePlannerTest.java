package dev.lethe.root.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy.WipeRequest;
import dev.lethe.root.OverlayStep;
import dev.lethe.root.overlay.OverlayWipePlanner.Plan;
import dev.lethe.root.overlay.State.Boot;
import dev.lethe.root.overlay.State.Leftover;
import dev.lethe.root.overlay.State.Part;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The overlay wipe planner as a table: an observed upper directory in, the steps out. Each situation a
 * wipe can meet (first boot, ordinary, degraded, interrupted after each step, current never mounted,
 * a clock behind the newest name) is written as the {@link State} {@link Layout#readState} would report.
 */
class OverlayWipePlannerTest {

    private static final String UPPER = "/sysroot/overlay";
    private static final Instant NOW = Instant.parse("2026-11-28T06:44:10Z");
    /** An older archive. */
    private static final BootName OLD = BootName.at(Instant.parse("2026-11-26T07:00:00Z"));
    /** The boot directory the running (or last) boot used. */
    private static final BootName LAST = BootName.at(Instant.parse("2026-11-27T07:15:02Z"));
    /** The one a wipe at NOW makes. */
    private static final BootName NEXT = BootName.at(NOW);

    // ------------------------------------------------------------------------------------- helpers

    /** A plan as short lines, so a test states the whole expected sequence. */
    private static List<String> lines(Plan plan) {
        return plan.steps().stream().map(OverlayWipePlannerTest::line).toList();
    }

    private static String line(OverlayStep step) {
        return switch (step) {
            case OverlayStep.KeepFreshCurrent s -> "keep " + s.boot() + (s.degradedAsked() ? " (degraded asked)" : "");
            case OverlayStep.MarkDegraded s -> "mark-degraded " + s.boot();
            case OverlayStep.MakeBoots s -> "mkdir boots";
            case OverlayStep.NameAfterNewest s -> "name " + s.boot() + " (clock " + s.clock() + ")";
            case OverlayStep.MakeBootDirectory s -> "make " + s.boot();
            case OverlayStep.CompleteBootDirectory s -> "complete " + s.boot();
            case OverlayStep.RemoveStaleCurrentNew s -> "rm .current.new";
            case OverlayStep.SwitchCurrent s -> "current -> " + s.boot() + s.archived().map(a -> " (archives " + a + ")")
                    .orElse(" (first)");
        };
    }

    private static Plan plan(State state) throws RootException {
        return OverlayWipePlanner.plan(UPPER, state, new WipeRequest(NOW, false));
    }

    private static Plan planDegraded(State state) throws RootException {
        return OverlayWipePlanner.plan(UPPER, state, new WipeRequest(NOW, true));
    }

    private static Boot used(BootName name) {
        return new Boot(name, Part.USED, Part.USED, false);
    }

    private static Boot degraded(BootName name) {
        return new Boot(name, Part.USED, Part.USED, true);
    }

    private static Boot made(BootName name, Part upper, Part work) {
        return new Boot(name, upper, work, false);
    }

    private static State noBootsYet() {
        return new State(false, List.of(), Optional.empty(), Leftover.NOTHING);
    }

    /** boots/ with these boot directories (oldest first) and current pointing at {@code current}. */
    private static State boots(Optional<BootName> current, Leftover currentNew, Boot... boots) {
        return new State(true, List.of(boots), current, currentNew);
    }

    private static State running(Boot... boots) {
        return boots(Optional.of(LAST), Leftover.NOTHING, boots);
    }

    private static ArchiveRef archive(BootName name, boolean isDegraded) {
        return new ArchiveRef(name.id(), name.created(), isDegraded);
    }

    // ------------------------------------------------------------------------------------ the table

    @Test
    void firstBootMakesTheBootsDirectoryAndArchivesNothing() throws Exception {
        Plan plan = plan(noBootsYet());
        assertThat(lines(plan)).containsExactly("mkdir boots", "make " + NEXT, "current -> " + NEXT + " (first)");
        assertThat(plan.archive()).isEmpty();
        assertThat(lines(planDegraded(noBootsYet()))).as("no earlier boot to mark").isEqualTo(lines(plan));
    }

    @Test
    void ordinaryWipeMakesTheNextBootDirectoryAndArchivesTheLast() throws Exception {
        Plan plan = plan(running(used(OLD), used(LAST)));
        assertThat(lines(plan)).containsExactly("make " + NEXT, "current -> " + NEXT + " (archives " + LAST + ")");
        assertThat(plan.archive()).contains(archive(LAST, false));
    }

    @Test
    void degradedWipeMarksTheLastBootBeforeCurrentMovesAway() throws Exception {
        Plan plan = planDegraded(running(used(OLD), used(LAST)));
        assertThat(lines(plan)).containsExactly("mark-degraded " + LAST, "make " + NEXT,
                "current -> " + NEXT + " (archives " + LAST + ")");
        assertThat(plan.archive()).contains(archive(LAST, true));
    }

    @Test
    void aBootMarkedEarlierIsNotMarkedAgainAndStaysDegraded() throws Exception {
        State marked = running(used(OLD), degraded(LAST));
        assertThat(lines(planDegraded(marked))).containsExactly("make " + NEXT,
                "current -> " + NEXT + " (archives " + LAST + ")");
        assertThat(plan(marked).archive()).as("the mark on disk counts without --degraded").contains(archive(LAST, true));
    }

    @Test
    void currentNeverMountedIsAlreadyFreshNothingToDo() throws Exception {
        State fresh = running(used(OLD), made(LAST, Part.EMPTY, Part.EMPTY));
        Plan plan = plan(fresh);
        assertThat(lines(plan)).containsExactly("keep " + LAST);
        assertThat(plan.archive()).as("the newest archive, which the earlier wipe made").contains(archive(OLD, false));
        assertThat(lines(planDegraded(fresh))).as("nothing to mark either").containsExactly("keep " + LAST + " (degraded asked)");
        assertThat(plan(boots(Optional.of(LAST), Leftover.NOTHING, made(LAST, Part.EMPTY, Part.EMPTY))).archive())
                .as("the first boot directory, never used: no archive at all").isEmpty();
    }

    @Test
    void aClockNotPastTheNewestNameNamesTheNextOneSecondAfterIt() throws Exception {
        BootName after = BootName.at(LAST.created().plusSeconds(1));
        for (Instant clock : List.of(Instant.parse("1970-01-01T00:00:07Z"), LAST.created(), LAST.created().plusMillis(999))) {
            Plan plan = OverlayWipePlanner.plan(UPPER, running(used(LAST)), new WipeRequest(clock, false));
            assertThat(lines(plan)).as("clock %s", clock).containsExactly("name " + after + " (clock " + BootName.at(clock) + ")",
                    "make " + after, "current -> " + after + " (archives " + LAST + ")");
        }
        Plan ahead = OverlayWipePlanner.plan(UPPER, running(used(LAST)), new WipeRequest(LAST.created().plusSeconds(1), false));
        assertThat(lines(ahead)).as("one second past is past").containsExactly("make " + after,
                "current -> " + after + " (archives " + LAST + ")");
    }

    @Test
    void aCurrentLinkRemovedByHandStartsANewBootDirectoryAndKeepsEveryOtherAsAnArchive() throws Exception {
        State unlinked = boots(Optional.empty(), Leftover.NOTHING, used(OLD), used(LAST));
        Plan plan = plan(unlinked);
        assertThat(lines(plan)).containsExactly("make " + NEXT, "current -> " + NEXT + " (first)");
        assertThat(plan.archive()).isEmpty();
    }

    @Test
    void somethingLetheNeverMakesAtCurrentNewIsRefusedBeforeAnyStep() {
        assertThatThrownBy(() -> plan(boots(Optional.of(LAST), Leftover.FOREIGN, used(LAST))))
                .isInstanceOf(RootException.class).hasMessageContaining(UPPER + "/.current.new is not a symbolic link");
    }

    // ----------------------------------------------------------------- interrupted after each step

    /**
     * A later wipe killed after each of its steps (and inside the boot directory's), re-planned from what
     * it left: the rest of the same wipe, with the interrupted wipe's name however far the clock moved,
     * and never a second new directory.
     */
    @Test
    void anInterruptedWipeIsFinishedUnderItsOwnName() throws Exception {
        List<String> rest = List.of("complete " + NEXT, "current -> " + NEXT + " (archives " + LAST + ")");
        List<State> leftBehind = List.of(
                running(used(LAST), made(NEXT, Part.MISSING, Part.MISSING)),  // boots/NEXT made
                running(used(LAST), made(NEXT, Part.EMPTY, Part.MISSING)),    // its upper/ made, work/ missing
                running(used(LAST), made(NEXT, Part.EMPTY, Part.EMPTY)));     // both made, current not yet switched
        for (State state : leftBehind) {
            Plan plan = OverlayWipePlanner.plan(UPPER, state, new WipeRequest(NOW.plusSeconds(3600), false));
            assertThat(lines(plan)).as("%s", state).isEqualTo(rest);
            assertThat(plan.archive()).contains(archive(LAST, false));
        }
        State linkLeft = boots(Optional.of(LAST), Leftover.LINK, used(LAST), made(NEXT, Part.EMPTY, Part.EMPTY));
        assertThat(lines(plan(linkLeft))).as(".current.new made, not renamed")
                .containsExactly("complete " + NEXT, "rm .current.new", "current -> " + NEXT + " (archives " + LAST + ")");
        State switched = boots(Optional.of(NEXT), Leftover.NOTHING, used(LAST), made(NEXT, Part.EMPTY, Part.EMPTY));
        assertThat(lines(plan(switched))).as("current switched: done").containsExactly("keep " + NEXT);
        assertThat(plan(switched).archive()).contains(archive(LAST, false));
    }

    @Test
    void anInterruptedDegradedWipeKeepsItsMarkAndIsNotMarkedTwice() throws Exception {
        State markedThenKilled = running(used(OLD), degraded(LAST));
        assertThat(lines(planDegraded(markedThenKilled))).containsExactly("make " + NEXT,
                "current -> " + NEXT + " (archives " + LAST + ")");
        State killedLater = running(degraded(LAST), made(NEXT, Part.EMPTY, Part.MISSING));
        Plan plan = planDegraded(killedLater);
        assertThat(lines(plan)).containsExactly("complete " + NEXT, "current -> " + NEXT + " (archives " + LAST + ")");
        assertThat(plan.archive()).contains(archive(LAST, true));
    }

    @Test
    void anInterruptedFirstWipeIsFinishedUnderItsOwnName() throws Exception {
        State bootsMade = boots(Optional.empty(), Leftover.NOTHING);
        assertThat(lines(plan(bootsMade))).containsExactly("make " + NEXT, "current -> " + NEXT + " (first)");
        State directoryMade = boots(Optional.empty(), Leftover.NOTHING, made(LAST, Part.MISSING, Part.MISSING));
        assertThat(lines(plan(directoryMade))).containsExactly("complete " + LAST, "current -> " + LAST + " (first)");
        State linkLeft = boots(Optional.empty(), Leftover.LINK, made(LAST, Part.EMPTY, Part.EMPTY));
        assertThat(lines(plan(linkLeft))).containsExactly("complete " + LAST, "rm .current.new",
                "current -> " + LAST + " (first)");
    }

    @Test
    void aUsedDirectoryIsNeverTakenForAnInterruptedWipesNorOneThatIsCurrent() throws Exception {
        // Newest but used (a clock set back after a boot on it): an archive, and the new name goes past it.
        BootName after = BootName.at(NEXT.created().plusSeconds(1));
        State usedNewest = boots(Optional.of(LAST), Leftover.NOTHING, used(LAST), made(NEXT, Part.USED, Part.EMPTY));
        assertThat(lines(plan(usedNewest))).containsExactly("name " + after + " (clock " + NEXT + ")", "make " + after,
                "current -> " + after + " (archives " + LAST + ")");
        // Fresh but not the newest: an older, empty archive (kept; only the newest can be an interrupted wipe's).
        State freshOlder = running(made(OLD, Part.EMPTY, Part.EMPTY), used(LAST));
        assertThat(lines(plan(freshOlder))).containsExactly("make " + NEXT, "current -> " + NEXT + " (archives " + LAST + ")");
    }

    // ---------------------------------------------------------------------------------- sentences

    /** The sentences wipe --dry-run prints ("would ...") and wipe reports ("done ..."), word for word. */
    @Test
    void everyStepSaysWhatItDoesWithTheHostPaths() throws Exception {
        List<String> sentences = new ArrayList<>(planDegraded(boots(Optional.of(LAST), Leftover.LINK, used(LAST)))
                .asWipePlan().sentences());
        sentences.addAll(plan(noBootsYet()).asWipePlan().sentences());
        sentences.addAll(planDegraded(boots(Optional.of(LAST), Leftover.NOTHING, made(LAST, Part.EMPTY, Part.EMPTY)))
                .asWipePlan().sentences());
        sentences.addAll(OverlayWipePlanner.plan(UPPER, running(used(LAST), made(NEXT, Part.EMPTY, Part.MISSING)),
                new WipeRequest(Instant.EPOCH, false)).asWipePlan().sentences());
        assertThat(sentences).containsExactly(
                "mark boot directory 20261127T071502Z degraded (/sysroot/overlay/boots/20261127T071502Z/DEGRADED): its "
                        + "boot did not finish activation, so it is kept until pruned by id",
                "create boot directory 20261128T064410Z (/sysroot/overlay/boots/20261128T064410Z) with empty upper/ and work/",
                "remove /sysroot/overlay/.current.new, the link an interrupted wipe made but did not rename over current",
                "point /sysroot/overlay/current at boots/20261128T064410Z: boot directory 20261127T071502Z becomes an "
                        + "archive of what its boot changed",
                "create /sysroot/overlay/boots, the directory of boot directories (mode 0700: the archives in it hold "
                        + "what old roots held)",
                "create boot directory 20261128T064410Z (/sysroot/overlay/boots/20261128T064410Z) with empty upper/ and work/",
                "point /sysroot/overlay/current at boots/20261128T064410Z (the first boot directory: there is no earlier "
                        + "overlay root to archive)",
                "keep boot directory 20261127T071502Z as current: its upper/ and work/ are empty, so no overlay was ever "
                        + "mounted on it and the root is already fresh; nothing to archive or to mark degraded (the "
                        + "previous boot did not use the overlay at all)",
                "complete boot directory 20261128T064410Z (/sysroot/overlay/boots/20261128T064410Z), left empty by an "
                        + "interrupted wipe, with empty upper/ and work/",
                "point /sysroot/overlay/current at boots/20261128T064410Z: boot directory 20261127T071502Z becomes an "
                        + "archive of what its boot changed");
        assertThat(OverlayWipePlanner.plan(UPPER, running(used(LAST)), new WipeRequest(Instant.EPOCH, false))
                .asWipePlan().sentences().getFirst()).isEqualTo("name the new boot directory 20261127T071503Z, one "
                + "second after the newest one, because the clock (19700101T000000Z) is not past it");
    }

    @Test
    void theDegradedMarkerNamesThePruneCommand() {
        assertThat(new OverlayStep.MarkDegraded(UPPER, LAST.id()).text())
                .endsWith("lethe archive prune 20261127T071502Z\n");
    }
}
