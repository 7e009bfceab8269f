package dev.lethe.config;

import java.util.List;
import java.util.stream.Collectors;

/** A config that cannot be used, with every problem found in it (never only the first). */
@SuppressWarnings("serial") // never serialised; the errors hold non-serialisable model values
public final class ConfigException extends Exception {

    private final List<ConfigError> errors;

    ConfigException(List<ConfigError> errors) {
        super(errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n")));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
