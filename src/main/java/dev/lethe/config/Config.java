package dev.lethe.config;

import dev.lethe.model.Entry;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A validated config: the root strategy, the stores, and every entry normalised (defaults applied,
 * names resolved). Entries are sorted by target, so parents come before children.
 *
 * @param file the config file's name as used in every {@link dev.lethe.model.Origin}
 */
public record Config(String file, RootConfig root, List<StoreConfig> stores, List<Entry> entries) {

    public Config {
        Objects.requireNonNull(file);
        Objects.requireNonNull(root);
        stores = List.copyOf(stores);
        entries = entries.stream().sorted(Comparator.comparing(Entry::target)).toList();
    }
}
