package dev.lethe.plan;

import dev.lethe.model.AbsolutePath;
import java.util.List;
import java.util.Set;

/**
 * The live state the planner reads: what is at each path, which mounts come from a store, and
 * which migrations were interrupted. The engine observes the real machine; tests pass a table.
 */
public interface Observation {

    PathState state(AbsolutePath path);

    /** True if the two paths are the same file (same device and inode). */
    default boolean sameFile(AbsolutePath a, AbsolutePath b) {
        PathState x = state(a);
        PathState y = state(b);
        PathState.Facts fx = facts(x);
        PathState.Facts fy = facts(y);
        return fx != null && fy != null && fx.device() == fy.device() && fx.inode() == fy.inode();
    }

    /** True if a regular file at {@code a} has the same bytes as one at {@code b}. */
    boolean sameContent(AbsolutePath a, AbsolutePath b);

    /** Bind mounts whose source lies in a store and whose target is where that source would go. */
    List<StoreMount> storeMounts();

    /** Targets whose migration into the store was interrupted after the copy was verified. */
    Set<AbsolutePath> interruptedMigrations();

    /** The uid, gid and mode of a directory or file, or null. */
    static PathState.Facts facts(PathState state) {
        return switch (state) {
            case PathState.Directory d -> d.facts();
            case PathState.RegularFile f -> f.facts();
            default -> null;
        };
    }

    /** A mount of {@code source} (in {@code store}) on {@code target}. */
    record StoreMount(AbsolutePath store, AbsolutePath source, AbsolutePath target) {}
}
