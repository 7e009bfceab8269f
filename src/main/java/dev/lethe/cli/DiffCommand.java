package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.config.Accounts;
import dev.lethe.config.StoreConfig;
import dev.lethe.diff.Change;
import dev.lethe.diff.Filter;
import dev.lethe.diff.HashCache;
import dev.lethe.diff.RootWalk;
import dev.lethe.diff.Summary;
import dev.lethe.exec.Stores;
import dev.lethe.diff.packages.PackageBaseline;
import dev.lethe.linux.Fs;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.linux.ffm.FfmSyscalls;
import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.function.ToLongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "diff", description = "What the next boot will forget: every path added, modified or deleted on the "
        + "root since the blank state, minus what the config persists.")
final class DiffCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin JsonOption output;
    @Spec CommandSpec spec;

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

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (RootSession session = RootSession.open(common, false)) {
            Syscalls sys = new FfmSyscalls();
            ignore = session.config.diff().ignoreAnd(ignore);  // so that the text also says when something is ignored
            Filter filter = Filter.of(session.config.entries(), ignore, all)
                    .leavingOut(session.config.stores().stream().map(StoreConfig::path).toList());
            List<Change> changes;
            if (archive != null) {
                changes = session.strategy.diffArchive(ArchiveCommand.find(session, archive), filter);
            } else {
                Optional<List<Change>> againstBlank = session.strategy.diff(session.root, filter);
                if (againstBlank.isEmpty()) {
                    return adoption(out, sys, session.root, session.config, filter);
                }
                changes = againstBlank.get();
            }
            changes = filter.withoutDirectoriesLetheMakes(changes);
            if (output.json) {
                json(out, changes, null);
            } else {
                text(out, changes, change -> 1L, directories -> {
                    // The live path's owner and mode: the written root's (an overlay's upper) over the root's.
                    Path written = session.strategy.writtenRoot(session.root).orElse(session.root);
                    try (Fs writtenFs = Fs.open(sys, written.toString());
                         Fs rootFs = Fs.open(sys, session.root.toString())) {
                        Summary.Lookup live = path -> {
                            Optional<Stat> stat = writtenFs.stat(path);
                            return stat.isPresent() ? stat : rootFs.stat(path);
                        };
                        return Summary.suggest(directories, live, Accounts.load(session.root), taken(session.config));
                    }
                });
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    /**
     * Strategies "none" and "tmpfs": no blank state exists, so the diff is everything on the root
     * filesystem that no installed package owns unchanged, minus what the config persists. Package
     * file hashes are cached in the first store (see {@link HashCache}), so a second run reads only
     * what changed.
     */
    private int adoption(PrintWriter out, Syscalls sys, Path root, dev.lethe.config.Config config, Filter filter)
            throws IOException {
        List<StoreConfig> stores = config.stores();
        PackageBaseline baseline = PackageBaseline.load(root);
        RootWalk.Result result;
        try (Fs live = Fs.open(sys, root.toString())) {
            // Files changed in the last seconds may change again within the same timestamp tick: not cached.
            Instant trusted = Instant.now().minusSeconds(2);
            long trustedNanos = trusted.getEpochSecond() * 1_000_000_000L + trusted.getNano();
            // Only a store that passes apply's check gets the cache: diff must never write onto the root
            // in the place of a store whose filesystem is not mounted.
            Optional<AbsolutePath> store = Stores.usable(live, stores).stream().findFirst();
            if (store.isEmpty() && !stores.isEmpty()) {
                spec.commandLine().getErr().println("lethe: no store is mounted (" + stores.getFirst().path()
                        + " is not a mount point, and not on-root = true): diff runs without its hash cache, "
                        + "so every package file is read.");
            }
            HashCache cache = store.map(path -> HashCache.load(live, path, trustedNanos))
                    .orElseGet(() -> HashCache.empty(trustedNanos));
            result = RootWalk.of(sys, root.toString(), baseline, filter, cache);
            store.ifPresent(path -> cache.save(live, path));
        }
        if (output.json) {
            json(out, result.changes(), result);
        } else {
            if (baseline.managers().isEmpty()) {
                out.println("No package database found: every path on the root counts as added.");
            }
            for (String manager : baseline.unsupportedManagers()) {
                out.println("The " + manager + " database is not read yet: its files count as added.");
            }
            text(out, result.changes(), Summary.rolledUp(result.changes(), top), result::count, directories -> {
                try (Fs live = Fs.open(sys, root.toString())) {
                    return Summary.suggest(directories, live::stat, Accounts.load(root), taken(config));
                }
            });
            unreadable(out, result.unreadable());
        }
        out.flush();
        return ExitCode.OK;
    }

    /** What no suggestion may clash with: the stores and the entries the config has. */
    private static Summary.Taken taken(dev.lethe.config.Config config) {
        return new Summary.Taken(config.stores().stream().map(StoreConfig::path).toList(),
                config.entries().stream().map(dev.lethe.model.Entry::target).toList());
    }

    /** The paths left out because they could not be read, counted, with the first few named. */
    private static void unreadable(PrintWriter out, List<RootWalk.Unreadable> unreadable) {
        if (unreadable.isEmpty()) {
            return;
        }
        String some = unreadable.stream().limit(3).map(path -> path.path().value())
                .collect(Collectors.joining(", ")) + (unreadable.size() > 3 ? ", ..." : "");
        out.printf("%d %s could not be read (%s); %s%n", unreadable.size(),
                unreadable.size() == 1 ? "path" : "paths", some, mayReadEverything()
                        ? "even root may not read them (FUSE mounts of other users?), so they are left out."
                        : "run as root to include them.");
    }

    /**
     * True if this process may read every file and directory: CAP_DAC_READ_SEARCH (bit 2) is in the
     * effective set of /proc/self/status. Being uid 0 is not enough (a container may drop it).
     */
    private static boolean mayReadEverything() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16) & (1L << 2)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown: the advice to run as root is the more useful one
        }
        return false;
    }

    /** The config lines for the top directories. */
    @FunctionalInterface
    private interface Suggester {
        Summary.Suggestions suggest(List<Summary.Directory> directories) throws IOException;
    }

    /** @param adoption the adoption-mode result, whose records also say how many paths each stands for; or null */
    private static void json(PrintWriter out, List<Change> changes, RootWalk.Result adoption) throws IOException {
        try (JsonGenerator json = Json.on(out)) {
            json.writeStartArray();
            for (Change change : changes) {
                json.writeStartObject();
                json.writeStringField("path", change.path().value());
                json.writeStringField("kind", change.kind().word());
                json.writeStringField("what", change.what());
                json.writeNumberField("bytes", change.bytes());
                json.writeBooleanField("directory", change.directory());
                if (adoption != null) {
                    json.writeNumberField("paths", adoption.count(change));
                }
                json.writeEndObject();
            }
            // Adoption mode: a path that could not be read is a record of its own kind, so the output
            // stays one record per path and says what it could not tell.
            for (RootWalk.Unreadable path : adoption == null ? List.<RootWalk.Unreadable>of() : adoption.unreadable()) {
                json.writeStartObject();
                json.writeStringField("path", path.path().value());
                json.writeStringField("kind", "unreadable");
                json.writeStringField("what", path.reason());
                json.writeNumberField("bytes", 0);
                json.writeBooleanField("directory", path.directory());
                json.writeNumberField("paths", 1);
                json.writeEndObject();
            }
            json.writeEndArray();
        }
        out.println();
    }

    private void text(PrintWriter out, List<Change> changes, ToLongFunction<Change> paths, Suggester suggester)
            throws IOException {
        text(out, changes, Summary.of(changes, top), paths, suggester);
    }

    private void text(PrintWriter out, List<Change> changes, Summary.Result summary, ToLongFunction<Change> paths,
                      Suggester suggester) throws IOException {
        if (changes.isEmpty()) {
            out.println("Nothing to forget: every change on the root is persisted"
                    + (all || ignore.isEmpty() ? "." : " or ignored."));
            return;
        }
        for (Summary.Directory directory : summary.top()) {
            long count = directory.members().stream().mapToLong(paths).sum();
            out.printf("%10s %7d %-7s  %s%n", StatusCommand.humanBytes(directory.bytes()), count,
                    count == 1 ? "change" : "changes", directory.path());
            for (Change change : directory.members().stream().limit(5).toList()) {
                // The detail alone ("added", "modified", "metadata", "config changed"): it names the kind too.
                out.printf("      %-14s %s%s%n", change.what(), change.path(),
                        change.directory() ? "/" : "");
            }
            if (directory.members().size() > 5) {
                out.printf("      ... and %d more%n", directory.members().size() - 5);
            }
        }
        if (summary.more() > 0) {
            out.printf("... and %d more directories (--json lists every path)%n", summary.more());
        }
        long total = changes.stream().mapToLong(paths).sum();
        out.printf("%d %s the next boot will forget.%n", total, total == 1 ? "path" : "paths");
        if (suggest) {
            Summary.Suggestions suggestions = suggester.suggest(summary.top());
            if (suggestions.isEmpty()) {
                out.println("Nothing to suggest: what is left is deletions, whole system directories (/etc, /var, /root: "
                        + "persist what you need in them path by path), or in directories meant to be lost (/tmp, /run).");
                return;
            }
            out.println("To keep them, add to a [[store]]:");
            list(out, "directories", suggestions.directories());
            list(out, "files", suggestions.files());
        }
    }

    private static void list(PrintWriter out, String key, List<String> entries) {
        if (entries.isEmpty()) {
            return;
        }
        out.println("  " + key + " = [");
        for (String entry : entries) {
            out.println("    " + entry + ",");
        }
        out.println("  ]");
    }
}
