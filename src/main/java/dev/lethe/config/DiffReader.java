package dev.lethe.config;

import dev.lethe.model.PathGlob;
import java.util.ArrayList;
import java.util.List;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/** Reads [diff] into a {@link DiffConfig}, checking every ignore glob. */
final class DiffReader {

    private static final List<String> DIFF_KEYS = List.of("ignore");
    private static final String EXAMPLE = "ignore = [ \"/var/cache/**\", \"/tmp/**\" ]";

    private final Source source;

    DiffReader(Source source) {
        this.source = source;
    }

    DiffConfig read(TomlTable document) {
        Object value = Source.get(document, "diff");
        if (value == null) {
            return DiffConfig.NONE;
        }
        if (!(value instanceof TomlTable diff)) {
            source.error(Source.lineOf(document, "diff"), null, "diff must be a table: write [diff] on its own line with "
                    + EXAMPLE + " below it; found " + Source.typeName(value));
            return DiffConfig.NONE;
        }
        Keys.requireKnown(source, diff, DIFF_KEYS, "[diff]", null);
        Object ignoreValue = Source.get(diff, "ignore");
        if (ignoreValue == null) {
            return DiffConfig.NONE;
        }
        int keyLine = Source.lineOf(diff, "ignore");
        if (!(ignoreValue instanceof TomlArray array)) {
            source.error(keyLine, null, "ignore must be an array of globs, like " + EXAMPLE + "; found "
                    + Source.typeName(ignoreValue));
            return DiffConfig.NONE;
        }
        List<PathGlob> globs = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            int line = source.lineOf(array, i, keyLine);
            if (!(array.get(i) instanceof String text)) {
                source.error(line, null, "each item of ignore in [diff] must be a glob string like \"/var/cache/**\"; found "
                        + Source.typeName(array.get(i)));
                continue;
            }
            String problem = PathGlob.problemWith(text);
            if (problem != null) {
                source.error(line, text, "ignore: " + problem);
                continue;
            }
            globs.add(PathGlob.of(text));
        }
        return new DiffConfig(globs);
    }
}
