package dev.lethe.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** What diff is asked: which boot, what to leave out, how much to show. */
final class DiffOptions {
    @Option(names = "--archive", paramLabel = "ID",
            description = "What the boot kept in this archive changed (see lethe archive list), instead of the current boot.")
    String archive;

    @Option(names = "--all", description = "Show the paths the ignore globs (the config's and --ignore's) leave out too.")
    boolean all;

    @Option(names = "--ignore", paramLabel = "GLOB", converter = GlobConverter.class,
            description = "Leave out paths matching this glob on the absolute path (/var/cache/**), besides [diff] "
                    + "ignore in the config; repeatable.")
    List<String> ignore = new ArrayList<>();

    @Option(names = "--suggest", description = "Print ready-to-paste [[store]] entries (directories, files) that would keep "
            + "the top directories' changes, with the live owner and mode.")
    boolean suggest;

    @Option(names = "--top", paramLabel = "N", defaultValue = "20", converter = Converters.Positive.class, description = "Show the N largest directories. Default: 20")
    int top;

}
