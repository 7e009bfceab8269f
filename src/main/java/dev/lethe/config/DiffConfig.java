package dev.lethe.config;

import dev.lethe.model.PathGlob;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@code lethe diff} leaves out beyond the persisted entries, from the [diff] table.
 *
 * @param ignore globs on absolute paths the user has decided to lose (caches, logs), in the order written
 */
public record DiffConfig(List<PathGlob> ignore) {

    /** A config without [diff]: nothing is ignored. */
    static final DiffConfig NONE = new DiffConfig(List.of());

    public DiffConfig {
        ignore = List.copyOf(ignore);
    }

    /** These globs, then {@code more} (the command line's), as text. */
    public List<String> ignoreAnd(List<String> more) {
        return Stream.concat(ignore.stream().map(PathGlob::value), more.stream()).toList();
    }
}
