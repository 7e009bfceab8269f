package dev.lethe.archive;

import java.time.Instant;
import java.time.ZoneId;

/** The machine's clock and default time zone. */
public enum SystemTime implements TimeSource {
    INSTANCE;

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public ZoneId zone() {
        return ZoneId.systemDefault();
    }
}
