package dev.lethe.cli;

import dev.lethe.model.PathGlob;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Checks a glob given on the command line as the config checks its own, so a bad one is a usage error (exit 2). */
final class GlobConverter implements ITypeConverter<String> {

    @Override
    public String convert(String value) {
        String problem = PathGlob.problemWith(value);
        if (problem != null) {
            throw new TypeConversionException(problem);
        }
        return value;
    }
}
