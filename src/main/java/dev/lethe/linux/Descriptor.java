package dev.lethe.linux;

/**
 * An open file descriptor, closed by the try-with-resources block that opened it: no descriptor
 * leaks on an exception, and none is closed twice.
 */
public final class Descriptor implements AutoCloseable {
    private final Syscalls sys;
    private final int fd;
    private boolean closed;

    Descriptor(Syscalls sys, int fd) {
        this.sys = sys;
        this.fd = fd;
    }

    /**
     * Takes charge of a descriptor opened by a call that has no {@code Descriptor} form (or that
     * reports "none" as a negative number first): closed by the try-with-resources block it is put in.
     */
    public static Descriptor owning(Syscalls sys, int fd) {
        return new Descriptor(sys, fd);
    }

    /** The number, for the port's calls; valid until {@link #close}. */
    public int value() {
        return fd;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            sys.close(fd);
        }
    }
}
