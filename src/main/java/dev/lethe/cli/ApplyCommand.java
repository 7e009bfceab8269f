package dev.lethe.cli;

import dev.lethe.exec.Executor;
import dev.lethe.model.Entry;
import dev.lethe.model.Stage;
import dev.lethe.plan.Action;
import dev.lethe.plan.Plan;
import dev.lethe.plan.Planner;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "apply", description = "Converge the machine to the config: migrate, mount, link. Idempotent.")
final class ApplyCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Option(names = "--boot", paramLabel = "STAGE",
            description = "Boot mode (initrd or system): only the entries of that stage (system: all), "
                    + "quiet unless something is wrong, one summary line.")
    Stage boot;

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        Session.requireRoot("lethe apply");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Session session = Session.open(common)) {
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
