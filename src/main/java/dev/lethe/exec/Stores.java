package dev.lethe.exec;

import dev.lethe.config.StoreConfig;
import dev.lethe.linux.Fs;
import dev.lethe.linux.Stat;
import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The check a store must pass before lethe writes anything into it, the same as the planner's for
 * entries: a directory that is a mount point, or a plain directory the config declares on-root. A
 * store whose filesystem failed to mount is an empty directory on the root, and what is written
 * there would later be hidden by the real store.
 */
public final class Stores {
    private Stores() {}

    public static boolean usable(Fs fs, StoreConfig store) throws IOException {
        Optional<Stat> stat = fs.stat(store.path());
        return stat.isPresent() && stat.get().isDirectory() && (stat.get().mountRoot() || store.onRoot());
    }

    /** The paths of the stores that pass {@link #usable}, in config order. */
    public static List<AbsolutePath> usable(Fs fs, List<StoreConfig> stores) throws IOException {
        List<AbsolutePath> usable = new ArrayList<>();
        for (StoreConfig store : stores) {
            if (usable(fs, store)) {
                usable.add(store.path());
            }
        }
        return usable;
    }
}
