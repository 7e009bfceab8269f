package dev.lethe.model;

import java.util.ArrayList;
import java.util.List;

/**
 * An absolute, normalised path as the managed root sees it ("/var/log", never "/sysroot/var/log").
 * Validated once here so that nothing downstream has to ask again: it starts with "/", has no
 * empty, "." or ".." component, no NUL and no trailing slash.
 */
public record AbsolutePath(String value) implements Comparable<AbsolutePath> {

    public static final AbsolutePath ROOT = new AbsolutePath("/");

    // equals and hashCode written out, as the record's own would be: the generated ones are
    // bootstrapped through java.lang.invoke at their first call, which every boot paid
    // (docs/performance.md, start-up lever by lever). RecordEqualityTest holds them to it.
    @Override
    public boolean equals(Object other) {
        return other instanceof AbsolutePath path && value.equals(path.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    public AbsolutePath {
        String problem = problemWith(value);
        if (problem != null) {
            throw new InvalidPathException(value, problem);
        }
    }

    public static AbsolutePath of(String value) {
        return new AbsolutePath(value);
    }

    /** Why {@code value} is not an acceptable absolute path, or null when it is. */
    public static String problemWith(String value) {
        if (value == null || value.isEmpty()) {
            return "the path is empty";
        }
        if (value.indexOf('\0') >= 0) {
            return "the path contains a NUL byte";
        }
        if (value.charAt(0) != '/') {
            return "the path is relative; write it from the root, starting with /";
        }
        if (value.equals("/")) {
            return null;
        }
        if (value.endsWith("/")) {
            return "the path ends with /";
        }
        // Component by component without splitting: every path a diff walks is checked here.
        for (int start = 1; start <= value.length(); ) {
            int end = value.indexOf('/', start);
            if (end < 0) {
                end = value.length();
            }
            int length = end - start;
            if (length == 0) {
                return "the path contains //";
            }
            if (value.charAt(start) == '.' && (length == 1 || (length == 2 && value.charAt(start + 1) == '.'))) {
                return length == 1 ? "the path contains a . component" : "the path contains a .. component";
            }
            start = end + 1;
        }
        return null;
    }

    public boolean isRoot() {
        return value.equals("/");
    }

    /** The components below the root: "/a/b" gives [a, b]; "/" gives []. */
    public List<String> names() {
        return isRoot() ? List.of() : List.of(value.substring(1).split("/"));
    }

    public String fileName() {
        return isRoot() ? "" : value.substring(value.lastIndexOf('/') + 1);
    }

    public AbsolutePath parent() {
        if (isRoot()) {
            return null;
        }
        int slash = value.lastIndexOf('/');
        return slash == 0 ? ROOT : new AbsolutePath(value.substring(0, slash));
    }

    /** Every ancestor from the outermost ("/" excluded) down to, but not including, this path. */
    public List<AbsolutePath> ancestors() {
        List<AbsolutePath> result = new ArrayList<>();
        for (AbsolutePath p = parent(); p != null && !p.isRoot(); p = p.parent()) {
            result.addFirst(p);
        }
        return result;
    }

    /** Appends a relative path ("a/b"), validating the result. */
    public AbsolutePath resolve(String relative) {
        if (relative.isEmpty()) {
            return this;
        }
        return new AbsolutePath(isRoot() ? "/" + relative : value + "/" + relative);
    }

    /** This path placed under {@code prefix}: "/var/log" under "/persist" is "/persist/var/log". */
    public AbsolutePath under(AbsolutePath prefix) {
        return isRoot() ? prefix : prefix.isRoot() ? this : new AbsolutePath(prefix.value + value);
    }

    /** True if this path equals {@code other} or lies below it. */
    public boolean startsWith(AbsolutePath other) {
        // No concatenation: the walks of lethe diff ask this for every path and every entry.
        return other.isRoot() || (value.startsWith(other.value)
                && (value.length() == other.value.length() || value.charAt(other.value.length()) == '/'));
    }

    /** The path below {@code ancestor}, without a leading slash; "" for the ancestor itself. */
    public String relativeTo(AbsolutePath ancestor) {
        if (!startsWith(ancestor)) {
            throw new IllegalArgumentException(value + " is not under " + ancestor.value);
        }
        if (value.equals(ancestor.value)) {
            return "";
        }
        return ancestor.isRoot() ? value.substring(1) : value.substring(ancestor.value.length() + 1);
    }

    @Override
    public int compareTo(AbsolutePath other) {
        // Component-wise order keeps parents before children: "/a" < "/a/b" < "/a-b". That is the
        // order of the strings with '/' below every other character (a component that ends first
        // sorts first), compared in place: the boot sorts and looks up paths in the interpreter,
        // where splitting both into lists at each comparison cost milliseconds.
        String mine = value;
        String theirs = other.value;
        int common = Math.min(mine.length(), theirs.length());
        for (int i = 0; i < common; i++) {
            char a = mine.charAt(i);
            char b = theirs.charAt(i);
            if (a != b) {
                return a == '/' ? -1 : b == '/' ? 1 : Character.compare(a, b);
            }
        }
        return Integer.compare(mine.length(), theirs.length());
    }

    @Override
    public String toString() {
        return value;
    }

    /** A path that fails validation; the message says why. */
    public static final class InvalidPathException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String path;
        private final String reason;

        InvalidPathException(String path, String reason) {
            super(reason + ": " + path);
            this.path = path;
            this.reason = reason;
        }

        public String path() {
            return path;
        }

        public String reason() {
            return reason;
        }
    }
}
