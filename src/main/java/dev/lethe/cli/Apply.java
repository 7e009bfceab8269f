package dev.lethe.cli;

import dev.lethe.exec.Activation;
import dev.lethe.exec.ApplyRecords;
import dev.lethe.exec.Converge;
import dev.lethe.exec.Executor;
import dev.lethe.exec.LiveObservation;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.model.Progress;
import dev.lethe.model.Stage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** apply: observe, plan, execute, report. Shared by the picocli command and the boot fast path. */
final class Apply {
    private Apply() {}

    /** @param cacheIn the store holding the config's cache ({@code --cache-in}, not with boot initrd) */
    static int run(Path root, Path configFile, Stage boot, Optional<AbsolutePath> cacheIn, PrintWriter out,
                   PrintWriter err) throws Exception {
        return run(root, configFile, boot, cacheIn, false, out, err);
    }

    /** @param asJson the report as one JSON document at the end ({@link ApplyJson}) instead of lines */
    static int run(Path root, Path configFile, Stage boot, Optional<AbsolutePath> cacheIn, boolean asJson,
                   PrintWriter out, PrintWriter err) throws Exception {
        long started = System.nanoTime();
        Session.requireRoot("lethe apply");
        // SIGTERM (shutdown, Ctrl-C) ends the JVM midway: say so, after the lines of what was done
        // (with --json no document is written: there are no lines to point at).
        String done = asJson ? "lethe status shows where each entry stands" : "the lines above are what it did";
        Thread stopped = new Thread(() -> {
            out.flush();
            err.println("lethe: apply was stopped before it finished; " + done + ". "
                    + "Apply again to finish: an interrupted migration is then finished, or discarded and redone.");
            err.flush();
        });
        Runtime.getRuntime().addShutdownHook(stopped);
        try {
            return runLocked(root, configFile, boot, cacheIn, asJson, out, err, started);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopped);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook runs.
            }
        }
    }

    private static int runLocked(Path root, Path configFile, Stage boot, Optional<AbsolutePath> cacheIn,
                                 boolean asJson, PrintWriter out, PrintWriter err, long started) throws Exception {
        Path checkedRoot = Session.checkedRoot(root);
        ApplyConfig config = ApplyConfig.load(checkedRoot, configFile, boot, cacheIn);
        try (Session session = Session.open(checkedRoot, config.config())) {
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
            // Progress of a long migration on stderr: a bar on a terminal, plain lines in a log or the journal.
            Progress shown = boot == null ? ProgressDisplay.forStderr(err, asJson) : ProgressDisplay.atBoot(err);
            Executor executor = new Executor(session.fs, session.config.entries(), shown);
            LiveObservation observed = session.observe();
            for (LiveObservation.JournalProblem problem : observed.journalProblems()) {
                err.println("lethe: warning: " + problem.message());
            }
            err.flush();
            // Each line as soon as its action is done, flushed: a long migration shows progress,
            // and a killed apply has told what it finished.
            Consumer<Executor.Outcome> progress = boot == null && !asJson ? outcome -> ApplyText.printOne(out, outcome) : outcome -> { };
            Executor.Report report = Converge.run(entries, session.scope(), observed, session::observe,
                    executor::execute, progress);
            ApplyRecords.write(session.fs, session.config.stores(), session.config.entries(), entries, report,
                    boot == Stage.SYSTEM ? ApplyRecords.Activating.YES : ApplyRecords.Activating.NO, Wiring.CLOCK,
                    java.time.Duration.ofNanos(System.nanoTime() - started));
            boolean succeeded = report.failures().isEmpty();
            if (succeeded) {
                // After a failure the stores keep only the records of what was done, nothing more.
                config.record(session.fs, boot, err);
            }
            if (asJson) {
                ApplyJson.print(out, report, entries.size(), (System.nanoTime() - started) / 1_000_000);
                ApplyJson.failureLine(err, report, entries.size());
                return succeeded ? ExitCode.OK : ExitCode.ENTRIES_FAILED;
            }
            if (boot == null) {
                ApplyText.printWaiting(out, report);
            }
            ApplyText.summary(out, err, report, entries.size(), (System.nanoTime() - started) / 1_000_000);
            return succeeded ? ExitCode.OK : ExitCode.ENTRIES_FAILED;
        }
    }
}
