package dev.lethe.plan;

/** What is at a path right now, as the planner needs to know it. Observed without following links. */
public sealed interface PathState {

    /** Owner, mode and identity of an existing file or directory. */
    record Facts(int uid, int gid, int mode, long device, long inode, boolean mountRoot) {}

    record Absent() implements PathState {}

    record Directory(Facts facts, boolean empty) implements PathState {}

    record RegularFile(Facts facts, long size) implements PathState {}

    record Symlink(String linkTarget) implements PathState {}

    /** A fifo, socket or device node: never something lethe persists or replaces. */
    record Other(String typeWord) implements PathState {}

    /** The path cannot be examined safely (a symlink or file in its parents, or an I/O error). */
    record Unreachable(String reason) implements PathState {}

    PathState ABSENT = new Absent();

    default boolean exists() {
        return !(this instanceof Absent);
    }

    /** Holds data that a mount would hide: a non-empty directory or a non-empty file. */
    default boolean holdsData() {
        return switch (this) {
            case Directory d -> !d.empty();
            case RegularFile f -> f.size() > 0;
            case Symlink s -> true;
            case Other o -> true;
            case Absent a -> false;
            case Unreachable u -> true;
        };
    }

    default String describe() {
        return switch (this) {
            case Absent a -> "absent";
            case Directory d -> d.empty() ? "empty directory" : "directory with data";
            case RegularFile f -> f.size() == 0 ? "empty file" : "file of " + f.size() + " bytes";
            case Symlink s -> "symbolic link to " + s.linkTarget();
            case Other o -> o.typeWord();
            case Unreachable u -> "unreachable: " + u.reason();
        };
    }
}
