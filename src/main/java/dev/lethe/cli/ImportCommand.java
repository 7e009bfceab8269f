package dev.lethe.cli;

import dev.lethe.config.NixImport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "import", description = "Print a lethe config with the meaning of a NixOS persistence config "
        + "(the JSON of nix eval --json); what lethe cannot express is listed on stderr.",
        subcommands = {ImportCommand.Impermanence.class, ImportCommand.Preservation.class})
final class ImportCommand {

    @Command(name = "impermanence", description = "From nix eval --json .#nixosConfigurations.HOST.config.environment.persistence")
    static final class Impermanence implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "FILE.json") Path file;

        @Override
        public Integer call() throws IOException {
            return run(NixImport.From.IMPERMANENCE, file, spec);
        }
    }

    @Command(name = "preservation", description = "From nix eval --json .#nixosConfigurations.HOST.config.preservation.preserveAt")
    static final class Preservation implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "FILE.json") Path file;

        @Override
        public Integer call() throws IOException {
            return run(NixImport.From.PRESERVATION, file, spec);
        }
    }

    /** The config on stdout; what it leaves out, and check's refusals, on stderr (exit 1 if check would refuse it). */
    static int run(NixImport.From from, Path file, CommandSpec spec) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        NixImport.Result result;
        try {
            result = NixImport.translate(from, JsonValues.parse(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("cannot import " + file + ": " + e.getMessage(), e);
        }
        out.print(result.toml());
        out.flush();
        for (String note : result.notes()) {
            err.println("lethe: not expressed: " + note);
        }
        for (String problem : result.problems()) {
            err.println("lethe: check refuses: " + problem);
        }
        err.flush();
        return result.problems().isEmpty() ? ExitCode.OK : ExitCode.ENTRIES_FAILED;
    }
}
