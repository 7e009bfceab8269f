package dev.lethe.exec;

import dev.lethe.linux.Fs;
import dev.lethe.linux.Stat;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Kind;
import java.io.IOException;
import java.util.Optional;

/** Whether a path on the managed root is a directory or a file, for an entry that does not say. */
public final class PathKinds {
    private PathKinds() {}

    /**
     * The kind of what is at {@code target}, resolved without following a symbolic link on the way
     * (a user's home may hold one); empty when nothing is there, or a link or a special file is.
     */
    public static Optional<Kind> of(Fs fs, AbsolutePath target) throws IOException {
        Optional<Stat> stat = fs.stat(target);
        if (stat.isEmpty()) {
            return Optional.empty();
        }
        if (stat.get().isDirectory()) {
            return Optional.of(Kind.DIRECTORY);
        }
        return stat.get().isRegularFile() ? Optional.of(Kind.FILE) : Optional.empty();
    }
}
