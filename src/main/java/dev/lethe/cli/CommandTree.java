package dev.lethe.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The top command with every command under it: what {@code lethe --help} lists, what the man pages
 * and the completions are generated from (the dist profile names this class), and what picocli
 * parses a command line with that names no command. A command line that names one is parsed with
 * {@link Main} and that command alone ({@link Main#commandLine}); {@link #named} maps a name to its
 * class for that, and {@code CommandTreeTest} holds it to this list.
 */
@Command(subcommands = {CheckCommand.class, PlanCommand.class, ApplyCommand.class, StatusCommand.class, OrphansCommand.class,
        DiffCommand.class, DoctorCommand.class, PersistCommand.class, ForgetCommand.class, InitCommand.class, ImportCommand.class,
        WipeCommand.class, MetricsCommand.class,
        ArchiveCommand.class, TryCommand.class, InstallCommand.class, UninstallCommand.class,
        CommandLine.HelpCommand.class})
final class CommandTree extends Main {

    /** The class of the command called {@code name} under the top one; null for help and for any other name. */
    static Class<?> named(String name) {
        return name == null ? null : switch (name) {
            case "check" -> CheckCommand.class;
            case "plan" -> PlanCommand.class;
            case "apply" -> ApplyCommand.class;
            case "status" -> StatusCommand.class;
            case "orphans" -> OrphansCommand.class;
            case "diff" -> DiffCommand.class;
            case "doctor" -> DoctorCommand.class;
            case "persist" -> PersistCommand.class;
            case "forget" -> ForgetCommand.class;
            case "init" -> InitCommand.class;
            case "import" -> ImportCommand.class;
            case "wipe" -> WipeCommand.class;
            case "metrics" -> MetricsCommand.class;
            case "archive" -> ArchiveCommand.class;
            case "try" -> TryCommand.class;
            case "install" -> InstallCommand.class;
            case "uninstall" -> UninstallCommand.class;
            default -> null;
        };
    }
}
