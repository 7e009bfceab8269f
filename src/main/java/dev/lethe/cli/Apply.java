package dev.lethe.cli;

import dev.lethe.exec.Executor;
import dev.lethe.model.Entry;
import dev.lethe.model.Stage;
import dev.lethe.plan.Action;
import dev.lethe.plan.Plan;
import dev.lethe.plan.Planner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** apply: observe, plan, execute, report. Shared by the picocli command and the boot fast path. */
final class Apply {
    private Apply() {}

    static int run(Path root, Path configFile, Stage boot, PrintWriter out, PrintWriter err) throws Exception {
        long started = System.nanoTime();
        Session.requireRoot("lethe apply");
        try (Session session = Session.open(root, configFile)) {
            if (!session.fs.tryLock()) {
                err.println("lethe: another lethe apply is running on " + session.rootDirectory + "; waiting for it");
                err.flush();
                session.fs.waitForLock();
            }
            List<Entry> entries = boot == Stage.INITRD
                    ? session.config.entries().stream().filter(e -> e.stage() == Stage.INITRD).toList()
                    : session.config.entries();
            Plan plan = Planner.plan(entries, session.observation);
            Executor.Report report = new Executor(session.fs, entries).execute(plan);
            long waiting = report.outcomes().stream().filter(o -> o.status() == Executor.Status.WAITING).count();
            long changes = report.outcomes().stream()
                    .filter(o -> o.status() == Executor.Status.DONE && o.action().changes()).count();
            if (boot == null) {
                printEach(out, report);
            }
            for (Executor.Outcome failure : report.failures()) {
                err.printf("lethe: %s: %s%n", failure.action().entry(), failure.error().orElse("failed"));
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            String summary = String.format("lethe: %d entries: %s%d failed, %d waiting to be created (%d ms)",
                    entries.size(), changes == 0 ? "nothing to do, " : changes + " changes, ",
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

    private static void printEach(PrintWriter out, Executor.Report report) {
        for (Executor.Outcome outcome : report.outcomes()) {
            Action action = outcome.action();
            String status = switch (outcome.status()) {
                case DONE -> action.changes() ? "done" : null;
                case FAILED -> "FAILED";
                case SKIPPED -> "skipped";
                case WAITING -> "waiting";
            };
            if (status != null && !(action instanceof Action.Refuse)) {
                out.printf("%-8s %-8s %s%n", status, ActionText.verb(action), ActionText.describe(action));
            }
        }
    }
}
