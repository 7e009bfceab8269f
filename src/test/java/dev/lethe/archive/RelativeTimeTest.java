package dev.lethe.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RelativeTimeTest {

    /** Saturday 2026-11-28, 17:30 in Berlin (16:30 UTC). */
    private static final FakeClock BERLIN = FakeClock.at("2026-11-28T16:30:00Z", "Europe/Berlin");

    private static String labelOf(String localDateTime) {
        Instant then = LocalDateTime.parse(localDateTime).atZone(BERLIN.getZone()).toInstant();
        return RelativeTime.label(then, BERLIN);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "2026-11-28T17:30:01, in the future",
            "2026-11-28T17:30:00, just now",
            "2026-11-28T17:29:01, just now",
            "2026-11-28T17:29:00, 1 minute ago",
            "2026-11-28T17:25:00, 5 minutes ago",
            "2026-11-28T16:30:01, 59 minutes ago",
            "2026-11-28T16:30:00, 1 hour ago",
            "2026-11-28T15:00:00, 2 hours ago",
            "2026-11-28T11:30:01, 5 hours ago",
            "2026-11-28T11:30:00, today 11:30",
            "2026-11-28T09:14:59, today 09:14",
            "2026-11-28T00:00:00, today 00:00",
            "2026-11-27T23:59:59, yesterday",
            "2026-11-27T00:00:00, yesterday",
            "2026-11-26T23:59:59, 2 days ago",
            "2026-11-25T12:00:00, 3 days ago",
            "2026-11-22T00:00:00, 6 days ago",
            "2026-11-21T23:59:59, last week",
            "2026-11-15T00:00:00, last week",
            "2026-11-14T23:59:59, 2 weeks ago",
            "2026-10-24T12:00:00, 5 weeks ago",
            "2026-09-29T12:00:00, 8 weeks ago",
            "2026-09-28T12:00:00, 2 months ago",
            "2026-06-01T12:00:00, 5 months ago",
            "2025-11-29T12:00:00, 11 months ago",
            "2025-11-28T12:00:00, 1 year ago",
            "2024-12-01T12:00:00, 1 year ago",
            "2023-11-28T12:00:00, 3 years ago",
    })
    void labels(String then, String label) {
        assertThat(labelOf(then)).isEqualTo(label);
    }

    @Test
    void theDayIsTheZonesDay() {
        // 23:30 UTC on the 27th is already the 28th in Berlin, and still the 27th in New York.
        Instant then = Instant.parse("2026-11-27T23:30:00Z");
        assertThat(RelativeTime.label(then, FakeClock.at("2026-11-28T16:30:00Z", "Europe/Berlin")))
                .isEqualTo("today 00:30");
        assertThat(RelativeTime.label(then, FakeClock.at("2026-11-28T16:30:00Z", "America/New_York")))
                .isEqualTo("yesterday");
    }

    @Test
    void recentHoursAreCountedAcrossMidnight() {
        FakeClock early = FakeClock.at("2026-11-28T01:00:00Z", "UTC");
        assertThat(RelativeTime.label(Instant.parse("2026-11-27T22:00:00Z"), early)).isEqualTo("3 hours ago");
        assertThat(RelativeTime.label(Instant.parse("2026-11-27T19:00:00Z"), early)).isEqualTo("yesterday");
    }

    @Test
    void daysAreCalendarDaysAcrossTheChangeToSummerTime() {
        // Berlin's clocks skip from 02:00 to 03:00 on 2026-03-29: that day has 23 hours.
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        FakeClock time = new FakeClock(ZonedDateTime.of(2026, 3, 30, 0, 30, 0, 0, berlin).toInstant(), berlin);
        Instant then = ZonedDateTime.of(2026, 3, 28, 0, 45, 0, 0, berlin).toInstant();
        // Less than 48 hours have passed, yet it was the day before yesterday.
        assertThat(Duration.between(then, time.instant())).isLessThan(Duration.ofHours(48));
        assertThat(RelativeTime.label(then, time)).isEqualTo("2 days ago");
    }

    @Test
    void aLabelAgesWithTheClock() {
        FakeClock time = FakeClock.at("2026-11-28T08:00:00Z", "UTC");
        Instant archived = time.instant();
        StringBuilder seen = new StringBuilder(RelativeTime.label(archived, time));
        for (Duration step : new Duration[] {Duration.ofMinutes(5), Duration.ofHours(2), Duration.ofHours(5),
                Duration.ofDays(1), Duration.ofDays(2), Duration.ofDays(7), Duration.ofDays(28), Duration.ofDays(30),
                Duration.ofDays(300)}) {
            seen.append(" | ").append(RelativeTime.label(archived, time.advance(step)));
        }
        assertThat(seen).hasToString("just now | 5 minutes ago | 2 hours ago | today 08:00 | yesterday | "
                + "3 days ago | last week | 5 weeks ago | 2 months ago | 1 year ago");
    }
}
