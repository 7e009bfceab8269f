package dev.lethe.cli;

import java.util.LinkedHashMap;
import java.util.SequencedMap;
import picocli.CommandLine.Option;

/** The attributes {@code persist} writes into a new entry, as the config's keys name them; none by default. */
final class EntryOptions {
    @Option(names = "--mode", paramLabel = "OCTAL", description = "The entry's mode, like 0700.")
    String mode;
    @Option(names = "--owner", paramLabel = "USER", description = "The entry's owner.")
    String owner;
    @Option(names = "--group", paramLabel = "GROUP", description = "The entry's group.")
    String group;
    @Option(names = "--method", paramLabel = "METHOD", description = "bind (default) or symlink.")
    String method;
    @Option(names = "--stage", paramLabel = "STAGE", description = "system (default) or initrd.")
    String stage;

    /** The options given, keyed as the config writes them, in the config's usual order. */
    SequencedMap<String, String> written() {
        SequencedMap<String, String> options = new LinkedHashMap<>();
        put(options, "owner", owner);
        put(options, "group", group);
        put(options, "mode", mode);
        put(options, "method", method);
        put(options, "stage", stage);
        return options;
    }

    private static void put(SequencedMap<String, String> options, String key, String value) {
        if (value != null) {
            options.put(key, value);
        }
    }
}
