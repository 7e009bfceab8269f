package dev.lethe.cli;

import dev.lethe.exec.Executor;
import dev.lethe.plan.Action;
import java.io.PrintWriter;

/** What apply prints: each action as it is done, the files still waiting, one summary line. */
final class ApplyText {
    private ApplyText() {}

    /** "lethe: 12 entries: 3 changes, 0 failed, 1 waiting to be created (40 ms)", on stderr if something failed. */
    static void summary(PrintWriter out, PrintWriter err, Executor.Report report, int entries, long millis) {
        for (Executor.Outcome failure : report.failures()) {
            err.printf("lethe: %s: %s%n", failure.action().entry(), failure.error().orElse("failed"));
        }
        Executor.Tally tally = report.tally();
        // Concatenated, not formatted: a Formatter's first %d looks up the locale's digits, which
        // loads the locale providers at every boot for one line.
        String summary = "lethe: " + Words.count(entries, "entry", "entries") + ": "
                + (tally.changes() == 0 && tally.failedEntries() == 0 ? "nothing to do, " : Words.count(tally.changes(), "change", "changes") + ", ")
                + tally.failedEntries() + " failed, " + tally.waiting() + " waiting to be created (" + millis + " ms)";
        (tally.failedEntries() == 0 ? out : err).println(summary);
        out.flush();
        err.flush();
    }

    /**
     * One action's line, as soon as it is done. A file waiting for a program to create it is not
     * printed here: {@link #printWaiting} names it at the end, and only in a run that changed
     * something else too, so an idempotent run stays one line, whatever waits.
     */
    static void printOne(PrintWriter out, Executor.Outcome outcome) {
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
    static void printWaiting(PrintWriter out, Executor.Report report) {
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
