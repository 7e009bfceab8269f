package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.config.Accounts;
import dev.lethe.diff.Change;
import dev.lethe.diff.Filter;
import dev.lethe.diff.RootWalk;
import dev.lethe.diff.Summary;
import dev.lethe.diff.packages.PackageBaseline;
import dev.lethe.linux.Fs;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.linux.ffm.FfmSyscalls;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
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

    @Option(names = "--suggest", description = "Print a ready-to-paste config line for each top directory.")
    boolean suggest;

    @Option(names = "--top", paramLabel = "N", defaultValue = "20", description = "Show the N largest directories. Default: 20")
    int top;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (RootSession session = RootSession.open(common, false)) {
            Syscalls sys = new FfmSyscalls();
            ignore = session.config.diff().ignoreAnd(ignore);  // so that the text also says when something is ignored
            Filter filter = Filter.of(session.config.entries(), ignore, all);
            List<Change> changes;
            if (archive != null) {
                changes = session.strategy.diffArchive(ArchiveCommand.find(session, archive), filter);
            } else {
                Optional<List<Change>> againstBlank = session.strategy.diff(session.root, filter);
                if (againstBlank.isEmpty()) {
                    return adoption(out, sys, session.root, filter);
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
                        return Summary.suggest(directories, live, Accounts.load(session.root));
                    }
                });
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    /**
     * Strategies "none" and "tmpfs": no blank state exists, so the diff is everything on the root
     * filesystem that no installed package owns unchanged, minus what the config persists.
     */
    private int adoption(PrintWriter out, Syscalls sys, Path root, Filter filter) throws IOException {
        PackageBaseline baseline = PackageBaseline.load(root);
        RootWalk.Result result = RootWalk.of(sys, root.toString(), baseline, filter);
        if (output.json) {
            json(out, result.changes(), result);
        } else {
            if (baseline.managers().isEmpty()) {
                out.println("No package database found: every path on the root counts as added.");
            }
            for (String manager : baseline.unsupportedManagers()) {
                out.println("The " + manager + " database is not read yet: its files count as added.");
            }
            text(out, result.changes(), result::count, directories -> {
                try (Fs live = Fs.open(sys, root.toString())) {
                    return Summary.suggest(directories, live::stat, Accounts.load(root));
                }
            });
        }
        out.flush();
        return ExitCode.OK;
    }

    /** The config lines for the top directories. */
    @FunctionalInterface
    private interface Suggester {
        List<String> suggest(List<Summary.Directory> directories) throws IOException;
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
            json.writeEndArray();
        }
        out.println();
    }

    private void text(PrintWriter out, List<Change> changes, ToLongFunction<Change> paths, Suggester suggester)
            throws IOException {
        if (changes.isEmpty()) {
            out.println("Nothing to forget: every change on the root is persisted"
                    + (all || ignore.isEmpty() ? "." : " or ignored."));
            return;
        }
        Summary.Result summary = Summary.of(changes, top);
        for (Summary.Directory directory : summary.top()) {
            long count = directory.members().stream().mapToLong(paths).sum();
            out.printf("%10s %7d %-7s  %s%n", StatusCommand.humanBytes(directory.bytes()), count,
                    count == 1 ? "change" : "changes", directory.path());
            for (Change change : directory.members().stream().limit(5).toList()) {
                out.printf("      %-8s %-12s %s%s%n", change.kind().word(), change.what(), change.path(),
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
            List<Summary.Directory> worth = summary.top().stream().filter(d -> !d.path().isRoot()).toList();
            out.println("To keep them, add to a [[store]]'s directories:");
            for (String line : suggester.suggest(worth)) {
                out.println("  " + line + ",");
            }
        }
    }
}
