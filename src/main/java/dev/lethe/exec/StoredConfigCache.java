package dev.lethe.exec;

import dev.lethe.config.Config;
import dev.lethe.config.ConfigCache;
import dev.lethe.linux.Fs;
import dev.lethe.linux.Stat;
import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The boot path's {@link ConfigCache}, kept at {@code <store>/.lethe/config-cache} in every usable
 * store: the root is fresh at each boot, the stores are not. Written (atomically, root-only) by an
 * apply that parsed the config; read only by {@code apply --boot system}, which is told the store by
 * its unit ({@code --cache-in}), since the stores' paths are in the very config it is not parsing.
 */
public final class StoredConfigCache {
    private StoredConfigCache() {}

    /** When a store's existing cache is replaced. */
    public enum Replace {
        /** The boot path after a miss: unless the cache is for exactly this key. */
        UNLESS_SAME_KEY,
        /**
         * An apply by hand or the capture service: unless the cache is for this config file, whatever
         * user database it was made with. The running system's etc/passwd may differ from the fresh
         * root's the boot reads (a user added since the blank was taken, or a persisted passwd bound
         * over it at boot): replacing the boot's cache after every boot would make every boot miss.
         */
        UNLESS_SAME_CONFIG
    }

    public static AbsolutePath file(AbsolutePath store) {
        return Journal.letheDirectory(store).resolve(ConfigCache.FILE_NAME);
    }

    /**
     * The config cached in {@code store} of the root at {@code rootDirectory} for exactly {@code key},
     * if that config names {@code store} among its stores. Read through java.nio, not the native
     * port: the boot reads it while the port is still being built on another thread.
     */
    public static Optional<Config> read(Path rootDirectory, AbsolutePath store, ConfigCache.Key key) {
        Path path = rootDirectory.resolve(file(store).relativeTo(AbsolutePath.ROOT));
        return ConfigCache.read(path, key)
                .filter(config -> config.stores().stream().anyMatch(s -> s.path().equals(store)));
    }

    /**
     * Writes the cache of {@code config} into each of the {@code usable} stores (those apply may
     * write into) whose cache {@code replace} does not keep. A cache is only a shortcut: a store
     * where it cannot be written is reported in the returned warnings and the apply goes on.
     */
    public static List<String> write(Fs fs, List<AbsolutePath> usable, ConfigCache.Key key, Config config,
                                     Replace replace) {
        List<String> warnings = new ArrayList<>();
        byte[] encoded = null;
        for (AbsolutePath store : usable) {
            AbsolutePath file = file(store);
            try {
                Optional<ConfigCache.Key> existing = existingKey(fs, file);
                boolean keep = existing.isPresent() && switch (replace) {
                    case UNLESS_SAME_KEY -> existing.get().equals(key);
                    case UNLESS_SAME_CONFIG -> existing.get().sameConfig(key);
                };
                if (keep) {
                    continue;
                }
                if (encoded == null) {
                    encoded = ConfigCache.encode(key, config);
                }
                Journal.ensureLetheDirectory(fs, store);
                fs.writeFileAtomically(file, encoded, 0600);
            } catch (IOException e) {
                warnings.add("cannot write the config's cache " + file + " (" + e.getMessage()
                        + "); the boot reads the config file instead, which is slower");
            }
        }
        return warnings;
    }

    /**
     * The key of the cache in {@code file}; empty if there is none, or none the boot would take (one
     * that does not decode, or that is not root's alone): that one is replaced.
     */
    private static Optional<ConfigCache.Key> existingKey(Fs fs, AbsolutePath file) throws IOException {
        Optional<Stat> stat = fs.stat(file);
        if (stat.isEmpty() || !stat.get().isRegularFile() || stat.get().uid() != 0 || (stat.get().permissions() & 0022) != 0) {
            return Optional.empty();
        }
        byte[] bytes;
        try {
            bytes = fs.readFile(file);
        } catch (IOException e) {
            return Optional.empty();
        }
        return ConfigCache.decode(bytes).map(ConfigCache.Cached::key);
    }
}
