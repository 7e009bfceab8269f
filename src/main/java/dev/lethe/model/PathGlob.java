package dev.lethe.model;

import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.regex.PatternSyntaxException;

/**
 * A glob on absolute paths as the managed root sees them ({@code /var/cache/**}), in java.nio's
 * syntax: {@code *} matches within one name, {@code **} across names, {@code ?}, {@code [...]} and
 * {@code {a,b}} as usual, {@code \} escapes. Validated once here: it starts with "/", has no empty,
 * "." or ".." name and no trailing "/" (the paths it is matched against never have them, so such a
 * glob would silently match nothing), and it compiles.
 */
public record PathGlob(String value) {

    public PathGlob {
        String problem = problemWith(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem + ": " + value);
        }
    }

    public static PathGlob of(String value) {
        return new PathGlob(value);
    }

    /** Why {@code value} is not an acceptable glob, or null when it is. */
    public static String problemWith(String value) {
        if (value == null || value.isEmpty()) {
            return "the glob is empty";
        }
        if (value.indexOf('\0') >= 0) {
            return "the glob contains a NUL byte";
        }
        if (value.charAt(0) != '/') {
            return "the glob is relative; it is matched against absolute paths, so write it from the root, "
                    + "like /" + value;
        }
        if (value.length() > 1 && value.endsWith("/")) {
            return "the glob ends with /, so it matches nothing; write " + value.substring(0, value.length() - 1)
                    + " for the directory and everything in it, or " + value + "** for its contents only";
        }
        for (String name : value.substring(1).split("/", -1)) {
            switch (name) {
                case "" -> { return "the glob contains //, so it matches nothing"; }
                case "." -> { return "the glob contains a . name, so it matches nothing; remove it"; }
                case ".." -> { return "the glob contains a .. name; paths are matched as written, so write the "
                        + "directory it means"; }
                default -> { }
            }
        }
        try {
            compile(value);
        } catch (PatternSyntaxException e) {
            return "the glob does not compile: " + e.getDescription()
                    + (e.getIndex() < 0 ? "" : " near character " + (e.getIndex() + 1));
        }
        return null;
    }

    /** A matcher for paths written as absolute strings; compiled afresh, so callers keep the one they need. */
    public PathMatcher matcher() {
        return compile(value);
    }

    private static PathMatcher compile(String glob) {
        return FileSystems.getDefault().getPathMatcher("glob:" + glob);
    }

    @Override
    public String toString() {
        return value;
    }
}
