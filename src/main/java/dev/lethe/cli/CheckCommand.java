package dev.lethe.cli;

import dev.lethe.config.Config;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "check", description = "Validate the config; print its normalised entries, or every error with file:line.")
final class CheckCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin JsonOption output;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Config config = Session.loadConfig(common);  // a ConfigException: every error printed, exit 3, in Main
        CheckText.print(out, config, output.json);
        out.flush();
        return ExitCode.OK;
    }
}
