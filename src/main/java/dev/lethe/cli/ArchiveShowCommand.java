package dev.lethe.cli;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.exec.ArchivePaths;
import dev.lethe.linux.FileType;
import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "show", description = "List a directory of an archive (its top without PATH), or print one of its files.")
final class ArchiveShowCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;
    @Parameters(index = "0", paramLabel = "ID") String id;
    @Parameters(index = "1", paramLabel = "PATH", arity = "0..1", defaultValue = "/", converter = Converters.Absolute.class,
            description = "A path in the archive. Default: / (the top of the archived root)")
    AbsolutePath wanted;

    @Override
    public Integer call() throws Exception {
        return RootSession.run(common, spec, (session, out) -> {
            ArchiveRef archive = ArchiveCommand.find(session, id);
            return session.strategy.read(archive, files -> {
                Path at = ArchivePaths.resolve(files, wanted);
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
                return ExitCode.OK;
            });
        });
    }

    /** One line of a listing: "name/", "name -> target", "name  (1.2 KiB)", or a whiteout's meaning. */
    private static String describe(Path child) {
        try {
            if (Files.isSymbolicLink(child)) {
                return child.getFileName() + " -> " + Files.readSymbolicLink(child);
            }
            if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                return child.getFileName() + "/";
            }
            int mode = (Integer) Files.getAttribute(child, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            boolean whiteout = (mode & FileType.S_IFMT) == FileType.S_IFCHR
                    && Files.getAttribute(child, "unix:rdev", LinkOption.NOFOLLOW_LINKS).equals(0L);
            if (whiteout) {
                return child.getFileName() + "  (deleted during that boot)";
            }
            return child.getFileName() + "  (" + Words.bytes(Files.size(child)) + ")";
        } catch (IOException e) {
            return child.getFileName() + "  (" + e.getMessage() + ")";
        }
    }
}
