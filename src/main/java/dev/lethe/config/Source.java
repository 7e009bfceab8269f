package dev.lethe.config;

import dev.lethe.model.Origin;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * The config text being read: its name, its lines (to place array elements), and the errors found
 * so far. Readers report here and carry on, so that one run shows every problem.
 */
final class Source {

    private final String file;
    private final String[] lines;
    private final List<ConfigError> errors = new ArrayList<>();

    Source(String file, String text) {
        this.file = file;
        this.lines = text.split("\n", -1);
    }

    String file() {
        return file;
    }

    Origin origin(int line) {
        return new Origin(file, line);
    }

    void error(int line, String path, String message) {
        errors.add(new ConfigError(origin(line), path, message));
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** The errors in file order (stable, so errors on one line keep the order they were found in). */
    List<ConfigError> errors() {
        return errors.stream().sorted(Comparator.comparingInt(e -> e.origin().line())).toList();
    }

    /** A key's value; keys are passed as one-element paths because user names may contain dots. */
    static Object get(TomlTable table, String key) {
        return table.get(List.of(key));
    }

    /** The line a key was written on. */
    static int lineOf(TomlTable table, String key) {
        TomlPosition position = table.inputPositionOf(List.of(key));
        return position == null ? 0 : position.line();
    }

    /**
     * The line an array element was written on. tomlj places an element where the whitespace before
     * it starts (just after the "[" or the comma), which is often the line before; so skip forward over
     * blanks, commas and comments to the element itself.
     */
    int lineOf(TomlArray array, int index, int fallback) {
        TomlPosition position = array.inputPositionOf(index);
        if (position == null) {
            return fallback;
        }
        int column = position.column() - 1;
        for (int line = position.line() - 1; line < lines.length; line++, column = 0) {
            String text = lines[line];
            int codePoints = text.codePointCount(0, text.length());
            int i = text.offsetByCodePoints(0, Math.clamp(column, 0, codePoints));
            for (; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '#') {
                    break;
                }
                if (c != ' ' && c != '\t' && c != '\r' && c != ',') {
                    return line + 1;
                }
            }
        }
        return position.line();
    }

    /** "a string", "an integer"...: how a TOML value's type reads in a message. */
    static String typeName(Object value) {
        return switch (value) {
            case String s -> "a string";
            case Long l -> "an integer";
            case Double d -> "a float";
            case Boolean b -> "a boolean";
            case TomlArray a -> "an array";
            case TomlTable t -> "a table";
            default -> "a date or time";
        };
    }
}
