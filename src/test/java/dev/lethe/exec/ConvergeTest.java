package dev.lethe.exec;

import static dev.lethe.plan.Entries.directory;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Attributes;
import dev.lethe.model.Entry;
import dev.lethe.model.Kind;
import dev.lethe.model.Method;
import dev.lethe.model.Origin;
import dev.lethe.model.Stage;
import dev.lethe.plan.Action;
import dev.lethe.plan.Entries;
import dev.lethe.plan.Plan;
import dev.lethe.plan.Planner;
import dev.lethe.plan.TableObservation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Repairs, then a fresh plan: the loop apply runs, on tables instead of a machine. */
class ConvergeTest {

    /** /var/log was in /persist and is now configured in /persist2: its old mount must go first. */
    private static final Entry MOVED = new Entry(AbsolutePath.of("/var/log"), AbsolutePath.of("/persist2"), Kind.DIRECTORY,
            Method.BIND, Stage.SYSTEM, Attributes.UNDECLARED, Entries.ROOT_PARENTS, Optional.empty(),
            new Origin("lethe.toml", 3));
    private static final Entry CACHE = directory("/var/cache");
    private static final List<Entry> ENTRIES = List.of(MOVED, CACHE);

    /** The machine before: /var/log still mounted from the old store. */
    private static TableObservation before() {
        return new TableObservation().store("/persist").store("/persist2").dir("/var").dir("/persist/var").dirWithData("/persist/var/log")
                .mounted("/persist/var/log", "/var/log").letheMount("/persist", "/var/log", true);
    }

    /** The machine after the unmount: the empty directory under the mount shows again. */
    private static TableObservation afterUnmount() {
        return new TableObservation().store("/persist").store("/persist2").dir("/var").dir("/persist/var").dirWithData("/persist/var/log")
                .dir("/var/log");
    }

    /** Records each plan it is given, as lines; fails every action of the entries in {@code failing}. */
    private static final class Recorder implements Converge.Execution {
        final List<List<String>> plans = new ArrayList<>();
        final Set<AbsolutePath> failing;

        Recorder(Set<AbsolutePath> failing) {
            this.failing = failing;
        }

        @Override
        public Executor.Report execute(Plan plan, java.util.function.Consumer<Executor.Outcome> progress) {
            plans.add(plan.actions().stream().map(ConvergeTest::line).toList());
            List<Executor.Outcome> outcomes = new ArrayList<>();
            for (Action action : plan.actions()) {
                Executor.Outcome outcome = failing.contains(action.entry())
                        ? new Executor.Outcome(action, Executor.Status.FAILED, Optional.of("refused"))
                        : new Executor.Outcome(action, Executor.Status.DONE, Optional.empty());
                outcomes.add(outcome);
                progress.accept(outcome);
            }
            return new Executor.Report(outcomes);
        }
    }

    private static String line(Action action) {
        return switch (action) {
            case Action.MakeDirectory a -> "mkdir " + a.path();
            case Action.BindMount a -> "bind " + a.source() + " -> " + a.target();
            case Action.Unmount a -> "unmount " + a.target();
            default -> action.getClass().getSimpleName() + " " + action.entry();
        };
    }

    @Test
    void repairsRunFirstThenTheEntriesArePlannedAgainOnWhatTheRepairsLeft() throws Exception {
        Recorder executor = new Recorder(Set.of());
        List<Executor.Outcome> told = new ArrayList<>();
        Executor.Report report = Converge.run(ENTRIES, Planner.Scope.of(ENTRIES), before(), ConvergeTest::afterUnmount,
                executor, told::add);
        assertThat(executor.plans).hasSize(2);
        assertThat(executor.plans.get(0)).containsExactly("unmount /var/log");
        assertThat(executor.plans.get(1)).containsExactly(
                "mkdir /persist/var/cache", "mkdir /var/cache", "bind /persist/var/cache -> /var/cache",
                "mkdir /persist2/var", "mkdir /persist2/var/log", "bind /persist2/var/log -> /var/log");
        assertThat(report.outcomes()).extracting(o -> line(o.action()))
                .containsExactlyElementsOf(executor.plans.stream().flatMap(List::stream).toList());
        assertThat(told).isEqualTo(report.outcomes());
    }

    @Test
    void anEntryWhoseRepairFailedIsLeftAloneAndTheOthersGoOn() throws Exception {
        Recorder executor = new Recorder(Set.of(AbsolutePath.of("/var/log")));
        // The unmount failed: /var/log is still mounted from the old store when it is observed again.
        Executor.Report report = Converge.run(ENTRIES, Planner.Scope.of(ENTRIES), before(), ConvergeTest::before,
                executor, outcome -> { });
        assertThat(executor.plans.get(1)).containsExactly(
                "mkdir /persist/var/cache", "mkdir /var/cache", "bind /persist/var/cache -> /var/cache");
        assertThat(report.failures()).extracting(o -> line(o.action())).containsExactly("unmount /var/log");
    }

    @Test
    void withoutRepairsThePlanRunsOnceAsItIs() throws Exception {
        Recorder executor = new Recorder(Set.of());
        List<Entry> entries = List.of(CACHE);
        Executor.Report report = Converge.run(entries, Planner.Scope.of(entries), afterUnmount(), () -> {
            throw new AssertionError("nothing to observe again without repairs");
        }, executor, outcome -> { });
        assertThat(executor.plans).containsExactly(List.of(
                "mkdir /persist/var/cache", "mkdir /var/cache", "bind /persist/var/cache -> /var/cache"));
        assertThat(report.failures()).isEmpty();
    }
}
