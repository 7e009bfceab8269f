package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** What the composition root hands down. */
class WiringTest {

    @Test
    void theClockIsTheMachinesClockAndZone() {
        Instant before = Instant.now();
        Instant now = Wiring.CLOCK.instant();
        assertThat(now).isBetween(before, Instant.now());
        assertThat(Wiring.CLOCK.getZone()).isEqualTo(ZoneId.systemDefault());
        long beforeMillis = System.currentTimeMillis();
        assertThat(Wiring.CLOCK.millis()).isBetween(beforeMillis, System.currentTimeMillis());
    }

    @Test
    void theClockInAnotherZoneKeepsTheInstantAndTakesTheZone() {
        ZoneId elsewhere = ZoneId.of("Pacific/Kiritimati");
        Instant before = Instant.now();
        java.time.Clock moved = Wiring.CLOCK.withZone(elsewhere);
        assertThat(moved.getZone()).isEqualTo(elsewhere);
        assertThat(moved.instant()).isBetween(before, Instant.now());
    }
}
