package dev.lethe.config;

import dev.lethe.model.Entry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A validated config: the root strategy, the stores, every entry normalised (defaults applied,
 * names resolved), and what {@code lethe diff} ignores. Entries are sorted by target, so parents come
 * before children.
 *
 * @param file    the config file's name as used in every {@link dev.lethe.model.Origin}
 * @param metrics where the units write {@code lethe metrics}, if anywhere
 */
public record Config(String file, RootConfig root, List<StoreConfig> stores, List<Entry> entries, DiffConfig diff,
                     MetricsConfig metrics) {

    public Config {
        Objects.requireNonNull(file);
        Objects.requireNonNull(root);
        Objects.requireNonNull(diff);
        Objects.requireNonNull(metrics);
        stores = List.copyOf(stores);
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(BY_TARGET);
        entries = List.copyOf(sorted);
    }

    /**
     * Entries in the order of their targets. Not {@code Comparator.comparing(Entry::target)}: the
     * AOT cache does not keep the lambda the JDK's {@code comparing} makes, which every start then
     * spins (with a method handle form for the interface call): ~5 ms of each boot.
     */
    private static final Comparator<Entry> BY_TARGET = (a, b) -> a.target().compareTo(b.target());

    /** A config without [metrics]. */
    public Config(String file, RootConfig root, List<StoreConfig> stores, List<Entry> entries, DiffConfig diff) {
        this(file, root, stores, entries, diff, MetricsConfig.NONE);
    }
}
