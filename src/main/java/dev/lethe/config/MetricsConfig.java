package dev.lethe.config;

import dev.lethe.model.AbsolutePath;
import java.util.Optional;

/**
 * The [metrics] table: where the units write {@code lethe metrics} for node-exporter's textfile
 * collector. Without it nothing is written, so machines without node-exporter get nothing.
 *
 * @param textfile the {@code *.prom} file the prune unit replaces after each run
 */
public record MetricsConfig(Optional<AbsolutePath> textfile) {

    /** A config without [metrics]: no textfile. */
    public static final MetricsConfig NONE = new MetricsConfig(Optional.empty());
}
