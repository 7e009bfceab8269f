package dev.lethe.exec;

import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths inside an opened archive, for {@code archive show}: never through a symbolic link in it. */
public final class ArchivePaths {
    private ArchivePaths() {}

    /**
     * Where {@code wanted} is under the archive's top {@code files}. An archived root is someone's
     * old data: a link in it may point anywhere on this machine, so a path through one is refused.
     */
    public static Path resolve(Path files, AbsolutePath wanted) throws IOException {
        Path at = wanted.isRoot() ? files : files.resolve(wanted.value().substring(1));
        if (!at.normalize().startsWith(files) || hasLinkInside(files, at)) {
            throw new IOException(wanted + ": a symbolic link is on the way; lethe does not follow links in an archive");
        }
        return at;
    }

    private static boolean hasLinkInside(Path top, Path at) {
        for (Path p = at.getParent(); p != null && p.startsWith(top) && !p.equals(top); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                return true;
            }
        }
        return false;
    }
}
