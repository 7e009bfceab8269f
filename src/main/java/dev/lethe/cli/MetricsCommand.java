package dev.lethe.cli;

import dev.lethe.exec.Activation;
import dev.lethe.exec.LetheMounts;
import dev.lethe.exec.StatusReport;
import dev.lethe.metrics.Readings;
import dev.lethe.metrics.Textfile;
import dev.lethe.root.NoWipeStrategy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "metrics", description = "lethe's state for Prometheus, in the text format of node-exporter's "
        + "textfile collector: paths by state, orphans per store, archives, degraded boot, last activation.")
final class MetricsCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Option(names = "--output", paramLabel = "FILE", description = "Replace FILE atomically (a temporary file in "
            + "its directory, synced, renamed), e.g. /var/lib/prometheus/node-exporter/lethe.prom. Default: print.")
    Path output;

    @Override
    public Integer call() throws Exception {
        if (output != null && !Files.isDirectory(output.toAbsolutePath().getParent())) {
            throw new EnvironmentException("cannot write the metrics to " + output + ": the directory "
                    + output.toAbsolutePath().getParent() + " does not exist");
        }
        // The strategy's full check forks tools; listing archives needs none of it.
        return RootSession.run(common, spec, false, (root, out) -> {
            try (Session session = Session.open(Session.checkedRoot(common.root), root.config)) {
                StatusReport report = StatusReport.of(session.fs, session.config.entries(), session.stores(),
                        session.scope());
                Readings readings = Readings.of(report, session.stores(),
                        root.strategy instanceof NoWipeStrategy ? Optional.empty() : Optional.of(root.strategy.archives()),
                        Activation.read(session.fs), LetheMounts.bootId(), Optional.ofNullable(Main.class.getPackage().getImplementationVersion()).orElse("development"),
                        root.context.clock().instant());
                byte[] text = Textfile.render(readings);
                if (output == null) {
                    out.print(new String(text, java.nio.charset.StandardCharsets.UTF_8));
                } else {
                    Textfile.write(output, text);
                }
            }
            return ExitCode.OK;
        });
    }
}
