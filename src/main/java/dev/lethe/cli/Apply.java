package dev.lethe.cli;

import dev.lethe.exec.Activation;
import dev.lethe.exec.Executor;
import dev.lethe.exec.KnownEntries;
import dev.lethe.exec.LetheMounts;
import dev.lethe.exec.LiveObservation;
import dev.lethe.exec.Stores;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.model.Stage;
import dev.lethe.plan.Action;
import dev.lethe.plan.Plan;
import dev.lethe.plan.Planner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** apply: observe, plan, execute, report. Shared by the picocli command and the boot fast path. */
final class Apply {
    private Apply() {}

    static int run(Path root, Path configFile, Stage boot, PrintWriter out, PrintWriter err) throws Exception {
        long started = System.nanoTime();
        Session.requireRoot("lethe apply");
        // SIGTERM (shutdown, Ctrl-C) ends the JVM midway: say so, after the lines of what was done.
        Thread stopped = new Thread(() -> {
            out.flush();
            err.println("lethe: apply was stopped before it finished; the lines above are what it did. "
                    + "Apply again to finish: an interrupted migration is then finished, or discarded and redone.");
            err.flush();
        });
        Runtime.getRuntime().addShutdownHook(stopped);
        try {
            return runLocked(root, configFile, boot, out, err, started);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopped);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook runs.
            }
        }
    }

    private static int runLocked(Path root, Path configFile, Stage boot, PrintWriter out, PrintWriter err, long started)
            throws Exception {
        try (Session session = Session.open(root, configFile)) {
            if (!session.fs.tryLock()) {
                err.println("lethe: another lethe apply is running on " + session.rootDirectory + "; waiting for it");
                err.flush();
                session.fs.waitForLock();
            }
            List<Entry> entries = boot == Stage.INITRD
                    ? session.config.entries().stream().filter(e -> e.stage() == Stage.INITRD).toList()
                    : session.config.entries();
            if (boot == Stage.SYSTEM) {
                Activation.clear(session.fs);
            }
            Executor executor = new Executor(session.fs, session.config.entries());
            LiveObservation observed = session.observe();
            for (LiveObservation.JournalProblem problem : observed.journalProblems()) {
                err.println("lethe: warning: " + problem.message());
            }
            err.flush();
            Plan plan = Planner.plan(entries, session.scope(), observed);
            List<Action> repairs = plan.actions().stream().filter(Planner::isRepair).toList();
            // Each line as soon as its action is done, flushed: a long migration shows progress,
            // and a killed apply has told what it finished.
            Consumer<Executor.Outcome> progress = boot == null ? outcome -> printOne(out, outcome) : outcome -> { };
            Executor.Report report;
            if (repairs.isEmpty()) {
                report = executor.execute(plan, progress);
            } else {
                // Unmounts and resumed migrations change what the entries see: plan those again afterwards.
                Executor.Report repaired = executor.execute(new Plan(repairs), progress);
                Set<AbsolutePath> failed = new HashSet<>();
                repaired.failures().forEach(o -> failed.add(o.action().entry()));
                Plan rest = Planner.plan(entries, session.scope(), session.observe());
                List<Action> next = rest.actions().stream()
                        .filter(x -> !Planner.isRepair(x) && !failed.contains(x.entry())).toList();
                List<Executor.Outcome> all = new ArrayList<>(repaired.outcomes());
                all.addAll(executor.execute(new Plan(next), progress).outcomes());
                report = new Executor.Report(all);
            }
            String bootId = LetheMounts.bootId();
            LetheMounts.record(session.fs, session.stores(), session.config.entries(), bootId);
            Set<AbsolutePath> notInPlace = new HashSet<>();
            report.outcomes().stream().filter(o -> o.status() != Executor.Status.DONE)
                    .forEach(o -> notInPlace.add(o.action().entry()));
            KnownEntries.record(session.fs, Stores.usable(session.fs, session.config.stores()), entries, notInPlace);
            if (boot == Stage.SYSTEM && report.failures().isEmpty()) {
                Activation.mark(session.fs, bootId);
            }
            long waiting = report.outcomes().stream().filter(o -> o.status() == Executor.Status.WAITING).count();
            long changes = report.outcomes().stream()
                    .filter(o -> o.status() == Executor.Status.DONE && o.action().changes()).count();
            if (boot == null) {
                printWaiting(out, report);
            }
            for (Executor.Outcome failure : report.failures()) {
                err.printf("lethe: %s: %s%n", failure.action().entry(), failure.error().orElse("failed"));
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            String summary = String.format("lethe: %s: %s%d failed, %d waiting to be created (%d ms)",
                    Words.count(entries.size(), "entry", "entries"),
                    changes == 0 && report.failures().isEmpty() ? "nothing to do, " : Words.count(changes, "change", "changes") + ", ",
                    countFailedEntries(report), waiting, millis);
            (report.failures().isEmpty() ? out : err).println(summary);
            out.flush();
            err.flush();
            return report.failures().isEmpty() ? ExitCode.OK : ExitCode.ENTRIES_FAILED;
        }
    }

    private static long countFailedEntries(Executor.Report report) {
        return report.failures().stream().map(o -> o.action().entry()).distinct().count();
    }

    /**
     * One action's line, as soon as it is done. A file waiting for a program to create it is not
     * printed here: {@link #printWaiting} names it at the end, and only in a run that changed
     * something else too, so an idempotent run stays one line, whatever waits.
     */
    private static void printOne(PrintWriter out, Executor.Outcome outcome) {
        Action action = outcome.action();
        String status = switch (outcome.status()) {
            case DONE -> action.changes() ? "done" : null;
            case FAILED -> "FAILED";
            case SKIPPED -> "skipped";
            case WAITING -> null;
        };
        if (status != null && !(action instanceof Action.Refuse)) {
            out.printf("%-8s %-8s %s%n", status, ActionText.verb(action), ActionText.describe(action));
            out.flush();
        }
    }

    /** The waiting files, named only when the run did something else (the user then reads why they were not mounted). */
    private static void printWaiting(PrintWriter out, Executor.Report report) {
        boolean acted = report.outcomes().stream().anyMatch(o -> o.status() != Executor.Status.WAITING
                && !(o.status() == Executor.Status.DONE && !o.action().changes()));
        if (!acted) {
            return;
        }
        for (Executor.Outcome outcome : report.outcomes()) {
            if (outcome.status() == Executor.Status.WAITING) {
                out.printf("%-8s %s%n", "waiting", ActionText.describe(outcome.action()));
            }
        }
    }
}
