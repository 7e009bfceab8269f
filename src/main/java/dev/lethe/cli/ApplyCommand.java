package dev.lethe.cli;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Stage;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "apply", description = "Converge the machine to the config: migrate, mount, link. Idempotent.")
final class ApplyCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin JsonOption output;
    @Spec CommandSpec spec;

    @Option(names = "--boot", paramLabel = "STAGE",
            description = "Boot mode (initrd or system): only the entries of that stage (system: all), "
                    + "quiet unless something is wrong, one summary line.")
    Stage boot;

    @Option(names = "--cache-in", paramLabel = "STORE", converter = Converters.Absolute.class,
            description = "Take the config from the cache an earlier apply left in STORE/.lethe when it "
                    + "was made from the same bytes (no TOML parser). Not with --boot initrd. lethe install "
                    + "writes it into the boot and capture units.")
    AbsolutePath cacheIn;

    @Override
    public Integer call() throws Exception {
        if (cacheIn != null && boot == Stage.INITRD) {
            throw new ParameterException(spec.commandLine(), "--cache-in is not read by apply --boot initrd");
        }
        return Apply.run(common.root, common.configFile(), boot, Optional.ofNullable(cacheIn), output.json,
                spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
