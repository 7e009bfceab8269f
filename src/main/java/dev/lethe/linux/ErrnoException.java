package dev.lethe.linux;

import java.io.IOException;

/** A system call failed: which call, on which path, with which errno. */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final String path;
    private final int errno;

    public ErrnoException(String call, String path, int errno) {
        super(call + (path == null ? "" : " " + path) + ": " + Errno.describe(errno));
        this.call = call;
        this.path = path;
        this.errno = errno;
    }

    /**
     * No stack trace: an errno is an expected answer (ENOENT for every path not yet created), the
     * message names the call and the path, and filling in a stack trace for each of thousands of
     * them was a measurable part of the boot path.
     */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    public String call() {
        return call;
    }

    public String path() {
        return path;
    }

    public int errno() {
        return errno;
    }

    public boolean is(int expected) {
        return errno == expected;
    }

    /** The same failure, told about the path the caller knows (the config path, not an fd-relative name). */
    public ErrnoException withPath(String fullPath) {
        return new ErrnoException(call, fullPath, errno);
    }
}
