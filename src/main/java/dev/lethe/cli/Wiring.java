package dev.lethe.cli;

import dev.lethe.linux.CrashPoints;
import dev.lethe.linux.Syscalls;
import dev.lethe.linux.ffm.FfmSyscalls;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

/**
 * The real machine as the layers below receive it: the syscall port and the clock are made here,
 * in the composition root, and nowhere else.
 */
final class Wiring {
    private Wiring() {}

    /** The machine's clock, in its default zone (the one "daily" and "yesterday" are counted in). */
    static final Clock CLOCK = new DefaultZoneClock();

    /**
     * {@link Clock#systemDefaultZone()}, except that the zone is looked up when asked for: looking
     * it up reads the runtime's time-zone database (several ms at start-up), and the boot path
     * records instants only.
     */
    private static final class DefaultZoneClock extends Clock {
        @Override
        public ZoneId getZone() {
            return ZoneId.systemDefault();
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return Clock.system(zone);
        }

        @Override
        public Instant instant() {
            return Instant.now();
        }

        @Override
        public long millis() {
            return System.currentTimeMillis();
        }
    }

    /** The native port, with the tests' crash points when LETHE_TEST_CRASH_AT asks for them. */
    static Syscalls syscalls() {
        return CrashPoints.wrap(new FfmSyscalls());
    }
}
