package dev.lethe.cli;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.Arrays;
import java.util.List;

/**
 * The AOT cache's training run (scripts/build), not a user command: the boot command first, exactly
 * as at boot, then the commands an administrator runs by hand, all in one process, so that the cache
 * holds the classes of each of them (JDK 25 records one training process). Every command gets the
 * arguments given here ({@code --root R --config C}); their output is dropped.
 */
public final class Training {
    private Training() {}

    private static final List<List<String>> BY_HAND = List.of(
            List.of("plan"), List.of("status"), List.of("check"), List.of("orphans"),
            List.of("diff", "--suggest"), List.of("diff", "--json"), List.of("plan", "--json"),
            List.of("--help"), List.of("status", "--help"), List.of("--version"));

    /**
     * With {@value #BOOT_ONLY} first: the boot units' commands alone (the boot, with and without the
     * config's cache, and the capture run), for the boot's own, smaller cache: none of picocli's
     * classes and none of the commands run by hand. scripts/build runs it twice and records the
     * second run, whose boots all find the config's cache: the TOML parser stays out of that cache.
     */
    private static final String BOOT_ONLY = "--boot-only";

    public static void main(String[] args) {
        boolean bootOnly = args.length > 0 && args[0].equals(BOOT_ONLY);
        String[] options = bootOnly ? Arrays.copyOfRange(args, 1, args.length) : args;
        // Through Main's own entry, as the units start it, so that the cache holds Main linked too.
        // Twice, as the boot unit runs it: the first parses the TOML and leaves the config's cache in
        // the store, the second boots from that cache (the path every boot but the first takes).
        List<String> bootCommand = List.of("apply", "--boot", "system", "--cache-in", "/persist");
        Integer boot = Main.fastPath(with(bootCommand, options));
        if (boot != null && boot == ExitCode.OK) {
            boot = Main.fastPath(with(bootCommand, options));
        }
        if (boot != null && boot == ExitCode.OK) {
            // the capture unit's run, at start-up and at shutdown: a plain apply from the same cache
            boot = Main.fastPath(with(List.of("apply", "--cache-in", "/persist"), options));
        }
        if (!bootOnly) {
            PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
            for (List<String> command : BY_HAND) {
                Main.run(nowhere, nowhere, with(command, options));
            }
        }
        int code = boot == null ? ExitCode.INTERNAL : boot;
        if (bootOnly) {
            Main.halt(code); // as the boot units' commands end: no System.Logger's classes in their cache
        }
        System.exit(code);
    }

    private static String[] with(List<String> command, String[] options) {
        String[] line = command.toArray(new String[command.size() + options.length]);
        System.arraycopy(options, 0, line, command.size(), options.length);
        return line;
    }
}
