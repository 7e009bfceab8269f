package dev.lethe.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** A system call failed: which call, on which path, with which errno. */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    /** The path as the caller gave it: a String, or the bytes a system call was passed; or null. */
    private final transient Object path;
    private final int errno;

    public ErrnoException(String call, String path, int errno) {
        this(call, (Object) path, errno);
    }

    private ErrnoException(String call, Object path, int errno) {
        super((String) null);
        this.call = call;
        this.path = path;
        this.errno = errno;
    }

    /**
     * A failure on the name a system call was passed, kept as those bytes: the message is made only
     * if someone reads it. Most errnos are expected answers (ENOENT for every path not yet created,
     * hundreds at each boot), handled without a word; decoding the name and formatting the message
     * for each of them, in the interpreter, cost milliseconds.
     */
    public static ErrnoException onName(String call, byte[] name, int errno) {
        return new ErrnoException(call, name, errno);
    }

    @Override
    public String getMessage() {
        String shown = path();
        return call + (shown == null ? "" : " " + shown) + ": " + Errno.describe(errno);
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
        return path instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : (String) path;
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
