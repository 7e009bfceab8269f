package dev.lethe.config;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Origin;
import java.util.Objects;

/** A persistent store: a directory on a filesystem that survives reboots ("/persist"). */
public record StoreConfig(AbsolutePath path, Origin origin) {

    public StoreConfig {
        Objects.requireNonNull(path);
        Objects.requireNonNull(origin);
    }
}
