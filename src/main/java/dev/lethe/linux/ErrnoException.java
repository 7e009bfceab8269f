package dev.lethe.linux;

import java.io.IOException;

/** A system call failed: which call, on which path, with which errno. */
public final class ErrnoException extends IOException {
    private final String call;
    private final String path;
    private final int errno;

    public ErrnoException(String call, String path, int errno) {
        super(call + (path == null ? "" : " " + path) + ": " + Errno.describe(errno));
        this.call = call;
        this.path = path;
        this.errno = errno;
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
