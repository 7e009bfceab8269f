package dev.lethe.archive;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;

/** A clock that stands still until a test moves it. */
final class FakeTime implements TimeSource {

    private Instant now;
    private final ZoneId zone;

    FakeTime(Instant now, ZoneId zone) {
        this.now = Objects.requireNonNull(now);
        this.zone = Objects.requireNonNull(zone);
    }

    /** A clock at an ISO instant such as "2026-11-28T21:45:00Z" in a zone such as "Europe/Berlin". */
    static FakeTime at(String instant, String zone) {
        return new FakeTime(Instant.parse(instant), ZoneId.of(zone));
    }

    FakeTime advance(Duration by) {
        now = now.plus(by);
        return this;
    }

    @Override
    public Instant now() {
        return now;
    }

    @Override
    public ZoneId zone() {
        return zone;
    }

    @Override
    public String toString() {
        return now + " in " + zone;
    }
}
