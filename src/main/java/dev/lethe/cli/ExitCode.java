package dev.lethe.cli;

/** The exit statuses of every lethe command, documented in the README. */
public final class ExitCode {
    private ExitCode() {}

    /** Everything was done, or there was nothing to do. */
    public static final int OK = 0;
    /** Some entries failed (conflict, unsafe path, missing store); the others were applied. */
    public static final int ENTRIES_FAILED = 1;
    /** The command line was wrong. */
    public static final int USAGE = 2;
    /** The config file is missing or invalid; nothing was touched. */
    public static final int CONFIG = 3;
    /** The machine is not fit to act on: not root, the root directory missing, an unsupported kernel. */
    public static final int ENVIRONMENT = 4;
    /** A bug in lethe; please report it with the output. */
    public static final int INTERNAL = 70;
}
