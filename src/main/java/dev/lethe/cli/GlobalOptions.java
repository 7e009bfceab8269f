package dev.lethe.cli;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code --root} and {@code --config} written before the command ({@code lethe --root /mnt status}),
 * as {@code systemctl --root} and {@code git -C} take them. They become the defaults of the same
 * options of the command that follows, so a value given after the command wins over one given before.
 */
final class GlobalOptions implements CommandLine.IDefaultValueProvider {

    // LOCAL: the top command's scope is INHERIT (for --help), which would copy these onto every
    // command beside the command's own --root and --config.
    @Option(names = "--root", paramLabel = "DIR", scope = CommandLine.ScopeType.LOCAL,
            description = "Act on the root mounted at DIR, for any command (the command's own --root wins). Default: /")
    Path root;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", scope = CommandLine.ScopeType.LOCAL,
            description = "The config file, for any command (the command's own --config wins). "
                    + "Default: $LETHE_CONFIG, else etc/lethe/lethe.toml under --root.")
    Path config;

    /**
     * picocli asks for a command's defaults when it starts parsing that command's arguments, that
     * is after the options before it were read: the values given there become the defaults.
     * Null falls back to the option's own default.
     */
    @Override
    public String defaultValue(ArgSpec argument) {
        if (!(argument instanceof OptionSpec option) || option.command().parent() == null) {
            return null;
        }
        Path given = switch (option.longestName()) {
            case "--root" -> root;
            case "--config" -> config;
            default -> null;
        };
        return given == null ? null : given.toString();
    }
}
