package dev.lethe.config;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Origin;
import java.util.Objects;

/**
 * A persistent store: a directory on a filesystem that survives reboots ("/persist").
 *
 * @param onRoot true if the config says the store is a plain directory on the root filesystem
 *               (adoption mode only); otherwise lethe requires it to be a mount point, so that a
 *               store whose filesystem failed to mount is never mistaken for an empty store
 */
public record StoreConfig(AbsolutePath path, boolean onRoot, Origin origin) {

    public StoreConfig {
        Objects.requireNonNull(path);
        Objects.requireNonNull(origin);
    }
}
