package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.config.Accounts;
import dev.lethe.config.StoreConfig;
import dev.lethe.diff.Adoption;
import dev.lethe.diff.Change;
import dev.lethe.diff.RootWalk;
import dev.lethe.diff.Summary;
import dev.lethe.linux.Fs;
import dev.lethe.linux.Stat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/** What the next boot forgets, as a person reads it (the largest directories first) or as JSON. */
final class DiffText {
    private DiffText() {}

    /**
     * @param top         how many directories to show
     * @param suggest     print config lines that would keep the top directories
     * @param saysIgnored globs left something out, so "nothing to forget" says "or ignored"
     */
    record Options(int top, boolean suggest, boolean saysIgnored) {}

    /** The adoption-mode diff: what the package databases could not tell, then the changes. */
    static void adoption(PrintWriter out, Adoption.Result result, Options options, Suggester suggester)
            throws IOException {
        if (result.baseline().managers().isEmpty()) {
            out.println("No package database found: every path on the root counts as added.");
        }
        for (String manager : result.baseline().unsupportedManagers()) {
            out.println("The " + manager + " database is not read yet: its files count as added.");
        }
        List<Change> changes = result.walk().changes();
        text(out, changes, Summary.rolledUp(changes, options.top()), result.walk()::count, options, suggester);
        unreadable(out, result.walk().unreadable());
    }

    /** What no suggestion may clash with: the stores and the entries the config has. */
    static Summary.Taken taken(dev.lethe.config.Config config) {
        return new Summary.Taken(config.stores().stream().map(StoreConfig::path).toList(),
                config.entries().stream().map(dev.lethe.model.Entry::target).toList());
    }

    /** The paths left out because they could not be read, counted, with the first few named. */
    static void unreadable(PrintWriter out, List<RootWalk.Unreadable> unreadable) {
        if (unreadable.isEmpty()) {
            return;
        }
        String some = unreadable.stream().limit(3).map(path -> path.path().value())
                .collect(Collectors.joining(", ")) + (unreadable.size() > 3 ? ", ..." : "");
        out.printf("%d %s could not be read (%s); %s%n", unreadable.size(),
                unreadable.size() == 1 ? "path" : "paths", some, Adoption.mayReadEverything()
                        ? "even root may not read them (FUSE mounts of other users?), so they are left out."
                        : "run as root to include them.");
    }

    /** The config lines for the top directories. */
    @FunctionalInterface
    interface Suggester {
        Summary.Suggestions suggest(List<Summary.Directory> directories) throws IOException;
    }

    /** @param adoption the adoption-mode result, whose records also say how many paths each stands for; or null */
    static void json(PrintWriter out, List<Change> changes, RootWalk.Result adoption) throws IOException {
        try (JsonGenerator json = Json.on(out)) {
            changes(json, changes, adoption);
        }
        out.println();
    }

    /**
     * diff --json --suggest: {"version":1,"changes":[as diff --json],"suggestions":[{kind,toml}]}, each
     * suggestion a line for a [[store]]'s directories or files list. Without --suggest, diff --json
     * keeps the bare array it printed before the envelope.
     */
    static void jsonWithSuggestions(PrintWriter out, List<Change> changes, RootWalk.Result adoption,
                                    Summary.Suggestions suggestions) throws IOException {
        JsonGenerator json = Json.envelope(out);
        json.writeFieldName("changes");
        changes(json, changes, adoption);
        json.writeArrayFieldStart("suggestions");
        for (String line : suggestions.directories()) {
            suggestion(json, "directory", line);
        }
        for (String line : suggestions.files()) {
            suggestion(json, "file", line);
        }
        json.writeEndArray();
        Json.close(json, out);
    }

    private static void suggestion(JsonGenerator json, String kind, String toml) throws IOException {
        json.writeStartObject();
        json.writeStringField("kind", kind);
        json.writeStringField("toml", toml);
        json.writeEndObject();
    }

    private static void changes(JsonGenerator json, List<Change> changes, RootWalk.Result adoption) throws IOException {
        json.writeStartArray();
        for (Change change : changes) {
            json.writeStartObject();
            json.writeStringField("path", change.path().value());
            json.writeStringField("kind", change.kind().word());
            json.writeStringField("what", change.what().word());
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

    static void text(PrintWriter out, List<Change> changes, Summary.Result summary, ToLongFunction<Change> paths,
                     Options options, Suggester suggester) throws IOException {
        if (changes.isEmpty()) {
            out.println("Nothing to forget: every change on the root is persisted"
                    + (options.saysIgnored() ? " or ignored." : "."));
            return;
        }
        for (Summary.Directory directory : summary.top()) {
            long count = directory.members().stream().mapToLong(paths).sum();
            out.printf("%10s %7d %-7s  %s%n", Words.bytes(directory.bytes()), count,
                    count == 1 ? "change" : "changes", directory.path());
            for (Change change : directory.members().stream().limit(5).toList()) {
                // The detail alone ("added", "modified", "metadata", "config changed"): it names the kind too.
                out.printf("      %-14s %s%s%n", change.what().word(), change.path(),
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
        if (options.suggest()) {
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

    /** Config lines for the top directories, with the owner and mode found at {@code written} first, then on the root. */
    static Summary.Suggestions suggest(RootSession session, Path written, List<Summary.Directory> directories)
            throws java.io.IOException {
        try (Fs writtenFs = Fs.open(session.context.sys(), written.toString());
             Fs rootFs = Fs.open(session.context.sys(), session.root.toString())) {
            Summary.Lookup live = path -> {
                Optional<Stat> stat = writtenFs.stat(path);
                return stat.isPresent() ? stat : rootFs.stat(path);
            };
            return Summary.suggest(directories, live, Accounts.load(session.root), DiffText.taken(session.config));
        }
    }
}
