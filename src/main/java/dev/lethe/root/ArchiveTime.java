package dev.lethe.root;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The time a new archive is named after. */
public final class ArchiveTime {
    private ArchiveTime() {}

    /**
     * Now, to the second, or just after the newest archive if the clock is behind it (a dead RTC
     * battery, a wipe before NTP): archive names then follow the order wipes happened in, so the
     * archive made last is the newest, and retention never prunes it.
     */
    public static Instant next(RootStrategy strategy, Clock clock) throws IOException {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        for (dev.lethe.archive.ArchiveRef archive : strategy.archives()) {
            if (!archive.created().isBefore(now)) {
                now = archive.created().plusSeconds(1);
            }
        }
        return now;
    }
}
