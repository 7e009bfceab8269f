package dev.lethe.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command takes. */
final class CommonOptions {

    @Option(names = "--root", paramLabel = "DIR", defaultValue = "/",
            description = "Act on the root mounted at DIR (/sysroot in the initrd, /mnt while installing). Default: /")
    Path root;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The config file. Default: $LETHE_CONFIG, else etc/lethe/lethe.toml under --root.")
    Path config;

    Path configFile() {
        return configFile(root, config);
    }

    /** --config if given, else $LETHE_CONFIG, else etc/lethe/lethe.toml under the root. */
    static Path configFile(Path root, Path config) {
        if (config != null) {
            return config;
        }
        String fromEnvironment = System.getenv("LETHE_CONFIG");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Path.of(fromEnvironment);
        }
        return root.resolve("etc/lethe/lethe.toml");
    }
}
