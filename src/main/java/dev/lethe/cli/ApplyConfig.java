package dev.lethe.cli;

import dev.lethe.config.Config;
import dev.lethe.config.ConfigCache;
import dev.lethe.config.ConfigException;
import dev.lethe.config.ConfigLoader;
import dev.lethe.exec.Stores;
import dev.lethe.exec.StoredConfigCache;
import dev.lethe.linux.Fs;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Stage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The config an apply works from. The boot service's apply ({@code --boot system --cache-in STORE})
 * takes it from that store's cache when the cache was made from these very bytes, and so loads no
 * TOML parser; every other apply, and the boot on a miss, parses the file and then, if nothing
 * failed, leaves the cache for the next boot.
 */
record ApplyConfig(Config config, ConfigCache.Key key, boolean fromCache) {

    static ApplyConfig load(Path checkedRoot, Path configFile, Stage boot, Optional<AbsolutePath> cacheIn)
            throws ConfigException {
        ConfigCache.Key key = ConfigCache.Key.of(configFile, checkedRoot);
        Optional<Config> cached = boot != Stage.INITRD
                ? cacheIn.flatMap(store -> StoredConfigCache.read(checkedRoot, store, key))
                : Optional.empty();
        if (cached.isPresent()) {
            return new ApplyConfig(cached.get(), key, true);
        }
        return new ApplyConfig(ConfigLoader.parse(key.inputs()), key, false);
    }

    /** After a parse, the cache in every store apply may write into; warnings on {@code err}. */
    void record(Fs fs, Stage boot, PrintWriter err) throws IOException {
        if (fromCache) {
            return;
        }
        StoredConfigCache.Replace replace = boot == Stage.SYSTEM
                ? StoredConfigCache.Replace.UNLESS_SAME_KEY : StoredConfigCache.Replace.UNLESS_SAME_CONFIG;
        for (String warning : StoredConfigCache.write(fs, Stores.usable(fs, config.stores()), key, config, replace)) {
            err.println("lethe: warning: " + warning);
        }
    }
}
