package dev.lethe.cli;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.archive.Retention;
import dev.lethe.root.Pruning;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "prune", description = "Remove archives the retention policy does not keep (or exactly the "
        + "given ids). The newest archive is never removed; degraded ones only by id.")
final class ArchivePruneCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin JsonOption output;
    @Spec CommandSpec spec;
    @Option(names = "--dry-run", description = "Say what would be removed; remove nothing.") boolean dryRun;
    @Parameters(paramLabel = "ID", arity = "0..*") List<String> ids;

    @Override
    public Integer call() throws Exception {
        if (!dryRun) {
            Session.requireRoot("lethe archive prune");
        }
        return RootSession.run(common, spec, (session, out) -> {
            Pruning.Outcome outcome = ids == null || ids.isEmpty()
                    ? Pruning.byPolicy(session.strategy, session.config.root().retention(), session.context.clock(), dryRun)
                    : Pruning.byId(session.strategy, ids, dryRun);
            if (output.json) {
                RootJson.prune(out, outcome, !dryRun);
                return ExitCode.OK;
            }
            for (Retention.Kept kept : outcome.kept()) {
                out.println("keep    " + kept.archive().id() + "  (" + String.join(", ", kept.reasons()) + ")");
            }
            for (ArchiveRef archive : outcome.removed()) {
                out.println((dryRun ? "would remove " : "removed ") + archive.id());
            }
            if (outcome.removed().isEmpty()) {
                out.println("Nothing to prune.");
            }
            return ExitCode.OK;
        });
    }
}
