package dev.lethe.cli;

import dev.lethe.exec.StatusReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "status", description = "Every entry with its state, and the orphans in the stores.")
final class StatusCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin JsonOption output;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return Session.run(common, spec, (session, out) -> {
            StatusReport report = StatusReport.of(session.fs, session.config.entries(), session.stores(), session.scope());
            StatusText.print(out, StatusText.lines(report, session.fs), output.json);
            return report.healthy() ? ExitCode.OK : ExitCode.ENTRIES_FAILED;
        });
    }
}
