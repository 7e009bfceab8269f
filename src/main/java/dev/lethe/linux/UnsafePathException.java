package dev.lethe.linux;

import java.io.IOException;

/**
 * A path lethe refuses to act on: a symbolic link where a directory or the entry itself should
 * be, or a component of the wrong type. lethe never follows such links, because as root that
 * would let whoever can write the link (a user, in their home) redirect lethe anywhere.
 */
public final class UnsafePathException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final String culprit;

    public UnsafePathException(String path, String culprit, String reason) {
        super(reason);
        this.path = path;
        this.culprit = culprit;
    }

    /** The path lethe was asked to act on. */
    public String path() {
        return path;
    }

    /** The component that made it unsafe (a symlink, a file where a directory should be). */
    public String culprit() {
        return culprit;
    }
}
