package dev.lethe.plan;

import dev.lethe.model.Kind;

/**
 * What is at a path right now, as the planner needs to know it. Observed without following links.
 *
 * <p>Each state answers {@link #holdsData()}, {@link #describe()} and {@link #suits} itself rather
 * than through a pattern {@code switch} over the states: the compiler still requires every state to
 * answer, and the boot does not spin a type switch's class at run time (docs/performance.md).
 */
public sealed interface PathState {

    /** Owner, mode and identity of an existing file or directory. */
    record Facts(int uid, int gid, int mode, long device, long inode, boolean mountRoot) {}

    record Absent() implements PathState {
        @Override public boolean holdsData() { return false; }
        @Override public String describe() { return "absent"; }
        @Override public boolean suits(Kind declared, boolean storeSide) { return true; }
    }

    record Directory(Facts facts, boolean empty) implements PathState {
        @Override public boolean holdsData() { return !empty; }
        @Override public String describe() { return empty ? "empty directory" : "directory with data"; }
        @Override public boolean suits(Kind declared, boolean storeSide) { return declared == Kind.DIRECTORY; }
    }

    record RegularFile(Facts facts, long size) implements PathState {
        @Override public boolean holdsData() { return size > 0; }
        @Override public String describe() { return size == 0 ? "empty file" : "file of " + size + " bytes"; }
        @Override public boolean suits(Kind declared, boolean storeSide) { return declared == Kind.FILE; }
    }

    record Symlink(String linkTarget) implements PathState {
        @Override public boolean holdsData() { return true; }
        @Override public String describe() { return "symbolic link to " + linkTarget; }
        @Override public boolean suits(Kind declared, boolean storeSide) { return !storeSide; }
    }

    /** A fifo, socket or device node: never something lethe persists or replaces. */
    record Other(String typeWord) implements PathState {
        @Override public boolean holdsData() { return true; }
        @Override public String describe() { return typeWord; }
        @Override public boolean suits(Kind declared, boolean storeSide) { return false; }
    }

    /** The path cannot be examined safely (a symlink or file in its parents, or an I/O error). */
    record Unreachable(String reason) implements PathState {
        @Override public boolean holdsData() { return true; }
        @Override public String describe() { return "unreachable: " + reason; }
        @Override public boolean suits(Kind declared, boolean storeSide) { return false; }
    }

    PathState ABSENT = new Absent();

    default boolean exists() {
        return !(this instanceof Absent);
    }

    /** Holds data that a mount would hide: a non-empty directory or a non-empty file; a link, a node, or what cannot be examined, as if it did. */
    boolean holdsData();

    /** What is there, in words for a message. */
    String describe();

    /**
     * Whether an entry declared as {@code declared} can have this on its side: nothing, or a
     * directory for a directory entry and a file for a file entry; a symbolic link on the target
     * side only (what the planner then does with it is its own rule), never on the store's.
     */
    boolean suits(Kind declared, boolean storeSide);
}
