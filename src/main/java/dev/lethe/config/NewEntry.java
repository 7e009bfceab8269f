package dev.lethe.config;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Kind;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Objects;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * An entry to add to a config, as the user asked for it; the config loader validates it.
 *
 * @param store   the store to keep it in; empty: the config's only store
 * @param user    the user whose home the path is relative to; empty for a system path
 * @param path    as it is to be written: absolute for a system entry, home-relative for a user's
 * @param kind    directory or file: which array it goes in
 * @param options further keys of the entry ("mode" = "0700", "owner", "group", "method", "stage"),
 *                written in this order; none: the entry is written as a plain string
 */
public record NewEntry(Optional<AbsolutePath> store, Optional<String> user, String path, Kind kind,
        SequencedMap<String, String> options) {

    public NewEntry {
        Objects.requireNonNull(store);
        Objects.requireNonNull(user);
        Objects.requireNonNull(path);
        Objects.requireNonNull(kind);
        options = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(options));
    }

    /** How the entry reads in the config: {@code "/var/log"} or {@code { path = "/var/lib/app", mode = "0700" }}. */
    String toml() {
        if (options.isEmpty()) {
            return quote(path);
        }
        StringBuilder table = new StringBuilder("{ path = ").append(quote(path));
        options.forEach((key, value) -> table.append(", ").append(key).append(" = ").append(quote(value)));
        return table.append(" }").toString();
    }

    /** A TOML basic string: quotes, backslashes and control characters escaped. */
    static String quote(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        value.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        quoted.append(String.format("\\u%04X", c));
                    } else {
                        quoted.appendCodePoint(c);
                    }
                }
            }
        });
        return quoted.append('"').toString();
    }
}
