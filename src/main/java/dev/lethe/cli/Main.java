package dev.lethe.cli;

import dev.lethe.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The composition root: parses the command line and maps every failure to an exit code. The
 * commands are listed by {@link CommandTree}; a command line that names one gets a model of that
 * one alone (see {@link #commandLine}).
 */
// scope INHERIT: every subcommand gets --help (and --version) too, "lethe diff --help" included.
@Command(name = "lethe", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        versionProvider = Main.Version.class,
        description = "Opt-in state for any Linux machine: the root forgets, the paths you declare survive.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success, or nothing to do",
            "1:some entries failed (the others were applied), or an operation failed",
            "2:bad command line",
            "3:bad or missing config (nothing was touched)",
            "4:environment not fit (not root, no such root directory), or the root strategy refuses",
            "70:internal error (a bug: please report it)"})
public class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    GlobalOptions global;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: try lethe --help");
    }

    public static void main(String[] args) {
        Integer fast = fastPath(args);
        if (fast != null) {
            halt(fast);
        }
        System.exit(run(args));
    }

    /**
     * How the boot and capture units' commands end: three JVM starts per boot. System.exit's shutdown
     * sequence begins by initialising the JDK's System.Logger (Runtime.exit is logged), which looks
     * for a logger service on the class path: milliseconds at every boot for nothing. These commands
     * leave no shutdown hook behind (Apply removes its own before it returns), and their output is
     * flushed here, so halting loses nothing.
     */
    static void halt(int code) {
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(code);
    }

    /**
     * The native calls prepared for the commands that make them, then the boot's commands by the fast
     * path (picocli's model is not built): the exit code, or null for any other command.
     */
    static Integer fastPath(String[] args) {
        if (args.length > 0 && (args[0].equals("apply") || args[0].equals("plan") || args[0].equals("status"))) {
            dev.lethe.linux.ffm.FfmSyscalls.prepareInBackground();
        }
        return BootPath.run(args);
    }

    /** Runs lethe with these arguments on the process's standard streams; returns the exit code. */
    public static int run(String... args) {
        return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs lethe writing to {@code out} and {@code err}; tests call this. */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = commandLine(args);
        cli.setDefaultValueProvider(((Main) cli.getCommand()).global);
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> handle(e, commandLine.getErr(),
                commandLine.getParseResult().hasMatchedOption("--json") ? commandLine.getOut() : null));
        return cli.execute(args);
    }

    /**
     * The model picocli parses {@code args} with: only the command they name under the top one, when
     * they name one, else every command ({@code lethe --help}, {@code lethe help diff}, a misspelt
     * name, which picocli answers with the names it knows). picocli builds a command's model by
     * reflection over its classes and annotations, several milliseconds a command at start-up; all of
     * them cost a hand-run command ~100 ms before it began.
     */
    static CommandLine commandLine(String... args) {
        Class<?> named = CommandTree.named(commandName(args));
        if (named == null) {
            return new CommandLine(new CommandTree());
        }
        CommandLine cli = new CommandLine(new Main());
        cli.addSubcommand(new CommandLine(named));
        return cli;
    }

    /**
     * The command's name: the first argument, after only {@link GlobalOptions} with their values
     * ({@code --root DIR}, {@code --root=DIR}, {@code -c FILE}, {@code --config FILE}); null when
     * anything else comes first ({@code --help diff}: the top command's help lists every command) or
     * a value is itself a command's name (the whole tree refuses that; so must the narrowed model).
     */
    static String commandName(String... args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (VALUED_GLOBAL_OPTIONS.contains(arg)) {
                i++;
                if (i < args.length && (CommandTree.named(args[i]) != null || args[i].equals("help"))) {
                    return null;
                }
            } else if (!(arg.startsWith("--root=") || arg.startsWith("--config="))) {
                return arg.startsWith("-") ? null : arg;
            }
        }
        return null;
    }

    /** {@link GlobalOptions}' names, each followed by its value (held to the class by CommandTreeTest). */
    static final java.util.Set<String> VALUED_GLOBAL_OPTIONS = java.util.Set.of("--root", "-c", "--config");

    /** How many config errors are printed; the count of all of them follows. */
    static final int MAX_ERRORS_SHOWN = 50;

    /** Maps a failure to its exit code, after telling the user what went wrong. */
    static int handle(Exception e, java.io.PrintWriter err) {
        return handle(e, err, null);
    }

    /**
     * @param json the command's output when --json was given: a config's errors are then its report,
     *             as JSON there, and stderr keeps only lethe's one-line message
     */
    static int handle(Exception e, java.io.PrintWriter err, java.io.PrintWriter json) {
        switch (e) {
            case ConfigException config when json != null -> {
                try {
                    Json.configErrors(json, config.errors());
                } catch (java.io.IOException unwritable) {
                    config.errors().forEach(err::println);
                }
                err.printf("lethe: the config is invalid (%s); nothing was changed.%n",
                        Words.count(config.errors().size(), "error", "errors"));
                err.flush();
                return ExitCode.CONFIG;
            }
            case ConfigException config -> {
                // Capped: a generated or garbled file may hold thousands, and the first ones say what is wrong.
                config.errors().stream().limit(MAX_ERRORS_SHOWN).forEach(err::println);
                if (config.errors().size() > MAX_ERRORS_SHOWN) {
                    err.printf("... and %d more%n", config.errors().size() - MAX_ERRORS_SHOWN);
                }
                err.printf("lethe: the config is invalid (%s); nothing was changed.%n",
                        Words.count(config.errors().size(), "error", "errors"));
                err.flush();
                return ExitCode.CONFIG;
            }
            case java.io.IOException failure -> {
                err.println("lethe: " + failure.getMessage());
                err.flush();
                return ExitCode.ENTRIES_FAILED;
            }
            case EnvironmentException environment -> {
                err.println("lethe: " + environment.getMessage());
                err.flush();
                return ExitCode.ENVIRONMENT;
            }
            default -> {
                err.println("lethe: internal error, please report it: " + e);
                e.printStackTrace(err);
                err.flush();
                return ExitCode.INTERNAL;
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"lethe " + (version == null ? "development build" : version)};
        }
    }
}
