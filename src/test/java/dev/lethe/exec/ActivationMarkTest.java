package dev.lethe.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The activation mark's text: the duration is a third field, and marks without it still read. */
class ActivationMarkTest {

    @Test
    void aMarkWithItsDurationReadsWhole() {
        assertThat(Activation.parse("6f1c boot 2026-12-04T12:00:00.250Z 1.375\n")).isEmpty();  // a space in the id is no mark
        assertThat(Activation.parse("6f1c-boot 2026-12-04T12:00:00.250Z 1.375\n")).contains(new Activation.Mark(
                "6f1c-boot", Instant.parse("2026-12-04T12:00:00.250Z"), Optional.of(Duration.ofMillis(1375))));
    }

    @Test
    void aMarkWrittenBeforeTheDurationReadsWithoutOne() {
        assertThat(Activation.parse("6f1c-boot 2026-01-01T00:00:00Z\n")).contains(new Activation.Mark(
                "6f1c-boot", Instant.parse("2026-01-01T00:00:00Z"), Optional.empty()));
    }

    @Test
    void aDamagedMarkReadsAsNone() {
        assertThat(Activation.parse("")).isEmpty();
        assertThat(Activation.parse("activation finished\n")).isEmpty();
        assertThat(Activation.parse("6f1c-boot 2026-01-01T00:00:00Z -3\n")).get()
                .extracting(Activation.Mark::took).isEqualTo(Optional.empty());
    }
}
