package dev.lethe.plan;

/**
 * What is at a path right now, as the planner needs to know it. Observed without following links.
 *
 * <p>Each state answers {@link #holdsData()} and {@link #describe()} itself rather than through a
 * pattern {@code switch} here: the compiler still requires every state to answer, and the boot does
 * not spin a type switch's class at run time for each of them (docs/performance.md).
 */
public sealed interface PathState {

    /** Owner, mode and identity of an existing file or directory. */
    record Facts(int uid, int gid, int mode, long device, long inode, boolean mountRoot) {}

    record Absent() implements PathState {
        @Override public boolean holdsData() { return false; }
        @Override public String describe() { return "absent"; }
    }

    record Directory(Facts facts, boolean empty) implements PathState {
        @Override public boolean holdsData() { return !empty; }
        @Override public String describe() { return empty ? "empty directory" : "directory with data"; }
    }

    record RegularFile(Facts facts, long size) implements PathState {
        @Override public boolean holdsData() { return size > 0; }
        @Override public String describe() { return size == 0 ? "empty file" : "file of " + size + " bytes"; }
    }

    record Symlink(String linkTarget) implements PathState {
        @Override public boolean holdsData() { return true; }
        @Override public String describe() { return "symbolic link to " + linkTarget; }
    }

    /** A fifo, socket or device node: never something lethe persists or replaces. */
    record Other(String typeWord) implements PathState {
        @Override public boolean holdsData() { return true; }
        @Override public String describe() { return typeWord; }
    }

    /** The path cannot be examined safely (a symlink or file in its parents, or an I/O error). */
    record Unreachable(String reason) implements PathState {
        @Override public boolean holdsData() { return true; }
        @Override public String describe() { return "unreachable: " + reason; }
    }

    PathState ABSENT = new Absent();

    default boolean exists() {
        return !(this instanceof Absent);
    }

    /** Holds data that a mount would hide: a non-empty directory or a non-empty file; a link, a node, or what cannot be examined, as if it did. */
    boolean holdsData();

    /** What is there, in words for a message. */
    String describe();
}
