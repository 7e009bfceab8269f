package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.archive.ArchiveRef;
import dev.lethe.archive.RelativeTime;
import dev.lethe.archive.Retention;
import dev.lethe.archive.SystemTime;
import dev.lethe.exec.Restore;
import dev.lethe.linux.Fs;
import dev.lethe.linux.ffm.FfmSyscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.root.Pruning;
import dev.lethe.root.RootException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "archive", description = "Old roots kept before they were forgotten: list, show, restore, prune.",
        subcommands = {ArchiveCommand.ListArchives.class, ArchiveCommand.Show.class, ArchiveCommand.RestorePath.class,
                ArchiveCommand.Prune.class})
final class ArchiveCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: list, show, restore or prune");
    }

    static ArchiveRef find(RootSession session, String id) throws IOException {
        return session.strategy.archives().stream().filter(a -> a.id().equals(id)).findFirst()
                .orElseThrow(() -> new RootException("no archive " + id + "; lethe archive list shows them"));
    }

    @Command(name = "list", description = "Every archive: id, time, how long ago, size, degraded mark.")
    static final class ListArchives implements Callable<Integer> {
        @Mixin CommonOptions common;
        @Mixin JsonOption output;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (RootSession session = RootSession.open(common)) {
                List<ArchiveRef> archives = session.strategy.archives();
                if (output.json) {
                    try (JsonGenerator json = Json.on(out)) {
                        json.writeStartArray();
                        for (ArchiveRef archive : archives) {
                            json.writeStartObject();
                            json.writeStringField("id", archive.id());
                            json.writeStringField("created", archive.created().toString());
                            json.writeStringField("age", RelativeTime.label(archive.created(), SystemTime.INSTANCE));
                            json.writeStringField("strategy", session.strategy.name());
                            json.writeNumberField("bytes", session.strategy.sizeOf(archive));
                            json.writeBooleanField("degraded", archive.degraded());
                            json.writeEndObject();
                        }
                        json.writeEndArray();
                    }
                    out.println();
                } else if (archives.isEmpty()) {
                    out.println("No archives (strategy " + session.strategy.name() + ").");
                } else {
                    out.printf("%-40s %-22s %-16s %-8s %10s%n", "ID", "CREATED", "AGE", "STRATEGY", "SIZE");
                    for (ArchiveRef archive : archives) {
                        long bytes = session.strategy.sizeOf(archive);
                        out.printf("%-40s %-22s %-16s %-8s %10s%s%n", archive.id(), archive.created(),
                                RelativeTime.label(archive.created(), SystemTime.INSTANCE), session.strategy.name(),
                                bytes < 0 ? "-" : StatusCommand.humanBytes(bytes), archive.degraded() ? "  DEGRADED" : "");
                    }
                }
                out.flush();
                return ExitCode.OK;
            }
        }
    }

    @Command(name = "show", description = "List a directory of an archive (its top without PATH), or print one of its files.")
    static final class Show implements Callable<Integer> {
        @Mixin CommonOptions common;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "ID") String id;
        @Parameters(index = "1", paramLabel = "PATH", arity = "0..1", defaultValue = "/", converter = Converters.Absolute.class,
                description = "A path in the archive. Default: / (the top of the archived root)")
        AbsolutePath wanted;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (RootSession session = RootSession.open(common)) {
                ArchiveRef archive = find(session, id);
                session.strategy.read(archive, files -> {
                    Path at = wanted.isRoot() ? files : files.resolve(wanted.value().substring(1));
                    if (!at.normalize().startsWith(files) || hasLinkInside(files, at)) {
                        throw new IOException(wanted + ": a symbolic link is on the way; lethe does not follow links in an archive");
                    }
                    if (Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
                        try (Stream<Path> children = Files.list(at)) {
                            children.sorted().forEach(child -> out.println(describe(child)));
                        }
                    } else if (Files.isRegularFile(at, LinkOption.NOFOLLOW_LINKS)) {
                        out.flush();
                        System.out.write(Files.readAllBytes(at));
                        System.out.flush();
                    } else if (Files.exists(at, LinkOption.NOFOLLOW_LINKS)) {
                        out.println(describe(at));
                    } else {
                        throw new IOException(wanted + " is not in archive " + archive.id());
                    }
                    return null;
                });
                out.flush();
                return ExitCode.OK;
            }
        }

        private static boolean hasLinkInside(Path top, Path at) {
            for (Path p = at.getParent(); p != null && p.startsWith(top) && !p.equals(top); p = p.getParent()) {
                if (Files.isSymbolicLink(p)) {
                    return true;
                }
            }
            return false;
        }

        private static String describe(Path child) {
            try {
                if (Files.isSymbolicLink(child)) {
                    return child.getFileName() + " -> " + Files.readSymbolicLink(child);
                }
                if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    return child.getFileName() + "/";
                }
                int mode = (Integer) Files.getAttribute(child, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                boolean whiteout = (mode & dev.lethe.linux.FileType.S_IFMT) == dev.lethe.linux.FileType.S_IFCHR
                        && Files.getAttribute(child, "unix:rdev", LinkOption.NOFOLLOW_LINKS).equals(0L);
                if (whiteout) {
                    return child.getFileName() + "  (deleted during that boot)";
                }
                return child.getFileName() + "  (" + StatusCommand.humanBytes(Files.size(child)) + ")";
            } catch (IOException e) {
                return child.getFileName() + "  (" + e.getMessage() + ")";
            }
        }
    }

    @Command(name = "restore", description = "Copy PATH from an archive back into the store of the entry that "
            + "covers it, keeping owner, mode and times; never over an existing path.")
    static final class RestorePath implements Callable<Integer> {
        @Mixin CommonOptions common;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "ID") String id;
        @Parameters(index = "1", paramLabel = "PATH", converter = Converters.Absolute.class) AbsolutePath wanted;

        @Override
        public Integer call() throws Exception {
            Session.requireRoot("lethe archive restore");
            PrintWriter out = spec.commandLine().getOut();
            try (RootSession session = RootSession.open(common)) {
                Entry entry = session.config.entries().stream().filter(e -> wanted.startsWith(e.target())).findFirst()
                        .orElseThrow(() -> new RootException(wanted + " is not persisted by any entry, so it has no "
                                + "place in a store. Add an entry that covers it, apply, then restore."));
                ArchiveRef archive = find(session, id);
                AbsolutePath restored;
                try (Fs fs = Fs.open(new FfmSyscalls(), session.root.toString())) {
                    restored = session.strategy.read(archive, files -> Restore.restore(fs, files, entry, wanted));
                }
                out.println("restored " + wanted + " from " + archive.id() + " into " + restored);
                out.flush();
                return ExitCode.OK;
            }
        }
    }

    @Command(name = "prune", description = "Remove archives the retention policy does not keep (or exactly the "
            + "given ids). The newest archive is never removed; degraded ones only by id.")
    static final class Prune implements Callable<Integer> {
        @Mixin CommonOptions common;
        @Spec CommandSpec spec;
        @Option(names = "--dry-run", description = "Say what would be removed; remove nothing.") boolean dryRun;
        @Parameters(paramLabel = "ID", arity = "0..*") List<String> ids;

        @Override
        public Integer call() throws Exception {
            if (!dryRun) {
                Session.requireRoot("lethe archive prune");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (RootSession session = RootSession.open(common)) {
                Pruning.Outcome outcome = ids == null || ids.isEmpty()
                        ? Pruning.byPolicy(session.strategy, session.config.root().retention(), SystemTime.INSTANCE, dryRun)
                        : Pruning.byId(session.strategy, ids, dryRun);
                for (Retention.Kept kept : outcome.kept()) {
                    out.println("keep    " + kept.archive().id() + "  (" + String.join(", ", kept.reasons()) + ")");
                }
                for (ArchiveRef archive : outcome.removed()) {
                    out.println((dryRun ? "would remove " : "removed ") + archive.id());
                }
                if (outcome.removed().isEmpty()) {
                    out.println("Nothing to prune.");
                }
                out.flush();
                return ExitCode.OK;
            }
        }
    }
}
