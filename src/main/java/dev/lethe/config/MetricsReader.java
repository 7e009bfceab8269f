package dev.lethe.config;

import dev.lethe.model.AbsolutePath;
import java.util.List;
import java.util.Optional;
import org.tomlj.TomlTable;

/** Reads [metrics] into a {@link MetricsConfig}: an absolute path for the textfile. */
final class MetricsReader {

    private static final List<String> METRICS_KEYS = List.of("textfile");
    private static final String EXAMPLE = "textfile = \"/var/lib/prometheus/node-exporter/lethe.prom\"";

    private final Source source;

    MetricsReader(Source source) {
        this.source = source;
    }

    MetricsConfig read(TomlTable document) {
        Object value = Source.get(document, "metrics");
        if (value == null) {
            return MetricsConfig.NONE;
        }
        if (!(value instanceof TomlTable metrics)) {
            source.error(Source.lineOf(document, "metrics"), null, "metrics must be a table: write [metrics] on its own "
                    + "line with " + EXAMPLE + " below it; found " + Source.typeName(value));
            return MetricsConfig.NONE;
        }
        Keys.requireKnown(source, metrics, METRICS_KEYS, "[metrics]", null);
        Object textfile = Source.get(metrics, "textfile");
        if (textfile == null) {
            return MetricsConfig.NONE;
        }
        int line = Source.lineOf(metrics, "textfile");
        if (!(textfile instanceof String path)) {
            source.error(line, null, "textfile in [metrics] must be a path string like " + EXAMPLE + "; found "
                    + Source.typeName(textfile));
            return MetricsConfig.NONE;
        }
        String problem = AbsolutePath.problemWith(path);
        if (problem != null) {
            source.error(line, path, "textfile in [metrics]: " + problem + " (node-exporter's textfile directory, "
                    + "like " + EXAMPLE + ")");
            return MetricsConfig.NONE;
        }
        if (!path.endsWith(".prom")) {
            source.error(line, path, "textfile in [metrics] must end in .prom: node-exporter reads only *.prom files");
            return MetricsConfig.NONE;
        }
        return new MetricsConfig(Optional.of(AbsolutePath.of(path)));
    }
}
