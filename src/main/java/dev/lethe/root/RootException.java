package dev.lethe.root;

import java.io.IOException;

/** A root strategy refuses: the configuration does not match the machine, or a step failed. */
public final class RootException extends IOException {
    private static final long serialVersionUID = 1L;

    public RootException(String message) {
        super(message);
    }

    public RootException(String message, Throwable cause) {
        super(message, cause);
    }
}
