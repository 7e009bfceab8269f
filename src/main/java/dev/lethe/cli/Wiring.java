package dev.lethe.cli;

import dev.lethe.linux.CrashPoints;
import dev.lethe.linux.Syscalls;
import dev.lethe.linux.ffm.FfmSyscalls;
import java.time.Clock;

/**
 * The real machine as the layers below receive it: the syscall port and the clock are made here,
 * in the composition root, and nowhere else.
 */
final class Wiring {
    private Wiring() {}

    /** The machine's clock, in its default zone (the one "daily" and "yesterday" are counted in). */
    static final Clock CLOCK = Clock.systemDefaultZone();

    /** The native port, with the tests' crash points when LETHE_TEST_CRASH_AT asks for them. */
    static Syscalls syscalls() {
        return CrashPoints.wrap(new FfmSyscalls());
    }
}
