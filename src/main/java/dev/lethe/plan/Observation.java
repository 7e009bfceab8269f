package dev.lethe.plan;

import dev.lethe.model.AbsolutePath;
import java.util.List;
import java.util.Map;

/**
 * The live state the planner reads: what is at each path, which mounts lethe made, and which
 * migrations were interrupted. The engine observes the real machine; tests pass a table.
 */
public interface Observation {

    PathState state(AbsolutePath path);

    /** True if the two paths are the same file (same device and inode). */
    default boolean sameFile(AbsolutePath a, AbsolutePath b) {
        PathState.Facts fx = facts(state(a));
        PathState.Facts fy = facts(state(b));
        return fx != null && fy != null && fx.device() == fy.device() && fx.inode() == fy.inode();
    }

    /** True if a regular file at {@code a} has the same bytes as one at {@code b}. */
    boolean sameContent(AbsolutePath a, AbsolutePath b);

    /** The mounts lethe made during this boot that are still mounted, as recorded in the stores. */
    List<LetheMount> letheMounts();

    /** Interrupted migrations, target → the store whose journal records it. */
    Map<AbsolutePath, AbsolutePath> interruptedMigrations();

    /** How a path reads in messages: the engine names it as the host sees it (under --root). */
    default String show(AbsolutePath path) {
        return path.value();
    }

    /** The uid, gid and mode of a directory or file, or null. */
    static PathState.Facts facts(PathState state) {
        if (state instanceof PathState.Directory d) {
            return d.facts();
        }
        return state instanceof PathState.RegularFile f ? f.facts() : null;
    }

    /**
     * A bind mount lethe made of {@code source} (in {@code store}) on {@code target}.
     *
     * @param topmost false when another mount has been stacked on top of it since
     */
    record LetheMount(AbsolutePath store, AbsolutePath source, AbsolutePath target, boolean topmost) {}
}
