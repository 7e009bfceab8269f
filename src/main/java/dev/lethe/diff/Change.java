package dev.lethe.diff;

import dev.lethe.model.AbsolutePath;
import java.util.Objects;

/**
 * One path the next boot will forget.
 *
 * @param path      the path as the root sees it ("/var/lib/foo")
 * @param kind      added, modified or deleted against the blank state
 * @param what      what changed, in a word or two ("added", "modified", "deleted", "type changed",
 *                  "metadata", "replaced")
 * @param bytes     the size of a file or symbolic link as it is now; 0 for directories and deletions
 * @param directory true if the path is (or, for a deletion, was) a directory
 */
public record Change(AbsolutePath path, Kind kind, String what, long bytes, boolean directory) {

    public Change {
        Objects.requireNonNull(path);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(what);
    }

    public enum Kind {
        ADDED, MODIFIED, DELETED;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
