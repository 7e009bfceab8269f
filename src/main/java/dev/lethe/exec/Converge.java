package dev.lethe.exec;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.plan.Action;
import dev.lethe.plan.Observation;
import dev.lethe.plan.Plan;
import dev.lethe.plan.Planner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One apply's work on the entries: the repairs first (unmounting what lethe mounted for an entry
 * that is gone or moved, finishing an interrupted migration), then a plan made afresh, because the
 * repairs change what the entries see. An entry whose repair failed is left alone for the rest of
 * the run. Without repairs, the plan is executed as it is.
 */
public final class Converge {
    private Converge() {}

    /** Runs a plan, telling {@code progress} each outcome as soon as it is known; {@link Executor#execute}. */
    @FunctionalInterface
    public interface Execution {
        Executor.Report execute(Plan plan, Consumer<Executor.Outcome> progress);
    }

    /** The machine observed afresh (the mount table read again). */
    @FunctionalInterface
    public interface Observing {
        Observation observe() throws IOException;
    }

    /**
     * @param observed  the machine as observed before anything was done (its warnings already told)
     * @param again     observes it again after the repairs
     * @return every outcome, repairs first, in the order they happened
     */
    public static Executor.Report run(List<Entry> entries, Planner.Scope scope, Observation observed, Observing again,
            Execution executor, Consumer<Executor.Outcome> progress) throws IOException {
        Plan plan = Planner.plan(entries, scope, observed);
        List<Action> repairs = new ArrayList<>();
        for (Action action : plan.actions()) {  // a loop, not a stream: thousands of actions at boot
            if (Planner.isRepair(action)) {
                repairs.add(action);
            }
        }
        if (repairs.isEmpty()) {
            return executor.execute(plan, progress);
        }
        Executor.Report repaired = executor.execute(new Plan(repairs), progress);
        Set<AbsolutePath> failed = new HashSet<>();
        repaired.failures().forEach(o -> failed.add(o.action().entry()));
        Plan rest = Planner.plan(entries, scope, again.observe());
        List<Action> next = rest.actions().stream()
                .filter(x -> !Planner.isRepair(x) && !failed.contains(x.entry())).toList();
        List<Executor.Outcome> all = new ArrayList<>(repaired.outcomes());
        all.addAll(executor.execute(new Plan(next), progress).outcomes());
        return new Executor.Report(all);
    }
}
