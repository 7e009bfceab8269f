package dev.lethe.cli;

import dev.lethe.model.Stage;
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
        return Apply.run(common.root, common.configFile(), boot, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
