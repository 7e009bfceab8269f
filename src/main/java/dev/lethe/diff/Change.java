package dev.lethe.diff;

import dev.lethe.model.AbsolutePath;
import java.util.Objects;

/**
 * One path the next boot will forget.
 *
 * @param path      the path as the root sees it ("/var/lib/foo")
 * @param kind      added, modified or deleted against the blank state
 * @param what      what changed, as {@code lethe diff} names it
 * @param bytes     the size of a file or symbolic link as it is now; 0 for directories and deletions
 * @param directory true if the path is (or, for a deletion, was) a directory
 */
public record Change(AbsolutePath path, Kind kind, What what, long bytes, boolean directory) {

    public Change {
        Objects.requireNonNull(path);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(what);
    }

    /** What changed, in the word or two {@code lethe diff} prints and writes to JSON. */
    public enum What {
        ADDED("added"),
        MODIFIED("modified"),
        /** A package's configuration file, changed by its administrator. */
        CONFIG_CHANGED("config changed"),
        DELETED("deleted"),
        /** A file became a directory, a link or the like. */
        TYPE_CHANGED("type changed"),
        /** A directory deleted and made again (an overlay's opaque directory). */
        REPLACED("replaced"),
        /** Owner, mode or other attributes only. */
        METADATA("metadata");

        private final String word;

        What(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        @Override
        public String toString() {
            return word;
        }
    }

    public enum Kind {
        ADDED, MODIFIED, DELETED;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
