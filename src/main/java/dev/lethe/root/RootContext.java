package dev.lethe.root;

import dev.lethe.model.AbsolutePath;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a strategy acts.
 *
 * @param root      the host path of the managed root (--root; "/" normally, "/sysroot" in the initrd)
 * @param stores    the config's store paths, which a strategy must never take for the root
 * @param scratch   a host directory for temporary mount points (the top level of a btrfs device, an
 *                  archive opened read-only); it exists and is empty when the strategy starts
 */
public record RootContext(Path root, List<AbsolutePath> stores, Path scratch) {
    public RootContext {
        stores = List.copyOf(stores);
    }
}
