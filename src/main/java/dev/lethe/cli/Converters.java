package dev.lethe.cli;

import dev.lethe.model.AbsolutePath;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values checked while the command line is parsed, so a bad one is a usage error (exit 2)
 * before any work is done, never an exception from deep inside a command.
 */
final class Converters {
    private Converters() {}

    /** A whole number of at least 1 (--top N). */
    static final class Positive implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int number;
            try {
                number = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number");
            }
            if (number < 1) {
                throw new TypeConversionException("must be 1 or more; found " + number);
            }
            return number;
        }
    }

    /** An absolute, normalised path (a PATH inside an archive). */
    static final class Absolute implements ITypeConverter<AbsolutePath> {
        @Override
        public AbsolutePath convert(String value) {
            String problem = AbsolutePath.problemWith(value);
            if (problem != null) {
                throw new TypeConversionException("'" + value + "': " + problem);
            }
            return AbsolutePath.of(value);
        }
    }
}
