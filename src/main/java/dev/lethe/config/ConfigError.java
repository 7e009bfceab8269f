package dev.lethe.config;

import dev.lethe.model.Origin;
import java.util.Objects;

/**
 * One problem found in a config file.
 *
 * @param origin  the file and the line of the offending key or entry
 * @param path    the filesystem path the problem is about (an entry or store path, as resolved
 *                when possible, else as written), or null when it is about no path
 * @param message what is wrong and what to do
 */
public record ConfigError(Origin origin, String path, String message) {

    public ConfigError {
        Objects.requireNonNull(origin);
        Objects.requireNonNull(message);
    }

    @Override
    public String toString() {
        return origin + ": " + (path == null ? "" : path + ": ") + message;
    }
}
