package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.config.Accounts;
import dev.lethe.config.RootConfig;
import dev.lethe.diff.Change;
import dev.lethe.diff.Filter;
import dev.lethe.diff.Summary;
import dev.lethe.diff.UpperDiff;
import dev.lethe.linux.Fs;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.linux.ffm.FfmSyscalls;
import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
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

    @Option(names = "--all", description = "Show the paths the ignore globs leave out too.")
    boolean all;

    @Option(names = "--ignore", paramLabel = "GLOB",
            description = "Leave out paths matching this glob on the absolute path (/var/cache/**); repeatable.")
    List<String> ignore = new ArrayList<>();

    @Option(names = "--suggest", description = "Print a ready-to-paste config line for each top directory.")
    boolean suggest;

    @Option(names = "--top", paramLabel = "N", defaultValue = "20", description = "Show the N largest directories. Default: 20")
    int top;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (RootSession session = RootSession.open(common)) {
            if (session.config.root().strategy() != RootConfig.Strategy.OVERLAY) {
                err.println("lethe diff for strategy " + session.strategy.name() + " is not available yet");
                err.flush();
                return ExitCode.ENTRIES_FAILED;
            }
            Syscalls sys = new FfmSyscalls();
            Optional<Path> upper = session.strategy.writtenRoot(session.root);
            Filter filter = Filter.of(session.config.entries(), ignore, all);
            List<Change> changes = upper.isEmpty() ? List.of()
                    : UpperDiff.of(sys, upper.get().toString(), session.root.toString(), filter);
            if (output.json) {
                json(out, changes);
            } else {
                text(out, sys, session.root, upper, changes);
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    private static void json(PrintWriter out, List<Change> changes) throws IOException {
        try (JsonGenerator json = Json.on(out)) {
            json.writeStartArray();
            for (Change change : changes) {
                json.writeStartObject();
                json.writeStringField("path", change.path().value());
                json.writeStringField("kind", change.kind().word());
                json.writeStringField("what", change.what());
                json.writeNumberField("bytes", change.bytes());
                json.writeBooleanField("directory", change.directory());
                json.writeEndObject();
            }
            json.writeEndArray();
        }
        out.println();
    }

    private void text(PrintWriter out, Syscalls sys, Path root, Optional<Path> upper, List<Change> changes)
            throws IOException {
        if (changes.isEmpty()) {
            out.println("Nothing to forget: every change on the root is persisted"
                    + (all || ignore.isEmpty() ? "." : " or ignored."));
            return;
        }
        Summary.Result summary = Summary.of(changes, top);
        for (Summary.Directory directory : summary.top()) {
            out.printf("%10s %7d %-7s  %s%n", StatusCommand.humanBytes(directory.bytes()), directory.changes(),
                    directory.changes() == 1 ? "change" : "changes", directory.path());
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
        out.printf("%d %s the next boot will forget.%n", changes.size(), changes.size() == 1 ? "path" : "paths");
        if (suggest) {
            List<Summary.Directory> worth = summary.top().stream().filter(d -> !d.path().isRoot()).toList();
            try (Fs upperFs = Fs.open(sys, upper.orElseThrow().toString()); Fs lowerFs = Fs.open(sys, root.toString())) {
                Summary.Lookup live = path -> {
                    Optional<Stat> stat = upperFs.stat(path);
                    return stat.isPresent() ? stat : lowerFs.stat(path);
                };
                out.println("To keep them, add to a [[store]]'s directories:");
                for (String line : Summary.suggest(worth, live, Accounts.load(root))) {
                    out.println("  " + line + ",");
                }
            }
        }
    }
}
