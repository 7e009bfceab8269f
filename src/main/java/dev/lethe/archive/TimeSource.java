package dev.lethe.archive;

import java.time.Instant;
import java.time.ZoneId;

/**
 * The present moment and the zone in which hours, days, weeks and months are counted. Injected so that
 * retention and labels are pure functions: production uses {@link SystemTime}, tests a fake clock.
 */
public interface TimeSource {
    Instant now();

    /** The zone whose calendar defines "daily", "yesterday" and the like. */
    ZoneId zone();
}
