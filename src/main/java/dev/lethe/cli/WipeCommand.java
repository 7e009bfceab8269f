package dev.lethe.cli;

import dev.lethe.exec.Activation;
import dev.lethe.root.ArchiveTime;
import dev.lethe.root.RootStrategy;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "wipe", description = "Archive the current root, then make a fresh one from the blank state "
        + "(the boot-time reset; the strategy comes from [root] in the config).")
final class WipeCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin JsonOption output;
    @Spec CommandSpec spec;

    @Option(names = "--dry-run", description = "Print exactly what the wipe would do; change nothing.")
    boolean dryRun;

    @Option(names = "--degraded", description = "Archive the root as degraded (kept until pruned by id) even if "
            + "its boot finished activation. Without it, a root whose boot did not finish is archived degraded.")
    boolean forceDegraded;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!dryRun) {
            Session.requireRoot("lethe wipe");
        }
        try (RootSession session = RootSession.open(common)) {
            RootStrategy strategy = session.strategy;
            boolean degraded = forceDegraded
                    || strategy.writtenRoot(session.root).map(written -> !Activation.marked(written)).orElse(false);
            RootStrategy.WipeRequest request = new RootStrategy.WipeRequest(ArchiveTime.next(strategy, session.context.clock()), degraded);
            if (!strategy.wipes()) {
                // tmpfs and none: there is no step to take or to have taken, only what the strategy means.
                String meaning = strategy.planWipe(request).sentences().getFirst();
                if (output.json) {
                    RootJson.wipe(out, strategy.name(), false, degraded, List.of(), null, meaning);
                } else {
                    out.println(meaning + ".");
                }
                out.flush();
                return ExitCode.OK;
            }
            if (degraded && strategy.archivesOnWipe()) {
                // Loud on purpose: writes that landed on this root while a store was missing are someone's data.
                spec.commandLine().getErr().println("lethe: WARNING: the boot that used this root did not finish "
                        + "activation (no " + Activation.MARK + " on it): its root " + (dryRun ? "would be" : "is")
                        + " archived as DEGRADED and kept until you prune it by id.");
            }
            RootStrategy.WipeResult done = dryRun ? null : strategy.wipe(request);
            List<String> steps = dryRun ? strategy.planWipe(request).sentences() : done.sentences();
            if (output.json) {
                RootJson.wipe(out, strategy.name(), !dryRun, degraded, steps, dryRun ? null : done.archive().id(), null);
            } else {
                steps.forEach(step -> out.println((dryRun ? "would " : "done ") + step));
            }
            out.flush();
            return ExitCode.OK;
        }
    }
}
