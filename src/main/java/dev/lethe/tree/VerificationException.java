package dev.lethe.tree;

import java.io.IOException;

/** Two trees that should be identical are not: the first differing path and what differs. */
public final class VerificationException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final String difference;

    public VerificationException(String path, String difference) {
        super(path + ": " + difference);
        this.path = path;
        this.difference = difference;
    }

    /** The differing path relative to the compared roots ("." for the roots themselves). */
    public String path() {
        return path;
    }

    /** What differs, with both values. */
    public String difference() {
        return difference;
    }
}
