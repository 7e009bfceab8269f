package dev.lethe.archive;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;

/** A clock that stands still until a test moves it. */
final class FakeClock extends Clock {

    private Instant now;
    private final ZoneId zone;

    FakeClock(Instant now, ZoneId zone) {
        this.now = Objects.requireNonNull(now);
        this.zone = Objects.requireNonNull(zone);
    }

    /** A clock at an ISO instant such as "2026-11-28T21:45:00Z" in a zone such as "Europe/Berlin". */
    static FakeClock at(String instant, String zone) {
        return new FakeClock(Instant.parse(instant), ZoneId.of(zone));
    }

    FakeClock advance(Duration by) {
        now = now.plus(by);
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId other) {
        return new FakeClock(now, other);
    }

    @Override
    public String toString() {
        return now + " in " + zone;
    }
}
