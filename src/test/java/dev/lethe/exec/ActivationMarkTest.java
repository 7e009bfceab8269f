package dev.lethe.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
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

    /** Made by hand at every boot; what the library writes is the reference, and what old marks hold. */
    @Test
    void theMarksTimeIsWrittenExactlyAsInstantWritesIt() {
        List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.parse("1969-12-31T23:59:59.999999999Z"),
                Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.5Z"),
                Instant.parse("2000-02-29T12:00:00.000001Z"), Instant.parse("1900-03-01T00:00:00.010Z"),
                Instant.parse("2100-02-28T23:59:59.000000100Z"), Instant.parse("2026-12-04T23:40:12.345678901Z"),
                Instant.parse("-0001-12-31T23:59:59Z"), Instant.parse("+10000-01-01T00:00:00Z")));
        Random random = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            long second = random.nextLong(Instant.parse("0000-01-01T00:00:00Z").getEpochSecond(),
                    Instant.parse("9999-12-31T23:59:59Z").getEpochSecond());
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            instants.add(Instant.ofEpochSecond(second, nano));
        }
        for (Instant instant : instants) {
            assertThat(Activation.utc(instant)).isEqualTo(instant.toString());
        }
    }

    @Test
    void theMarksDurationIsWrittenExactlyAsFormatWritesIt() {
        List<Long> nanos = new ArrayList<>(List.of(0L, 1L, 499_999L, 500_000L, 1_234_500_000L, 999_999_999L, 999_500_000L,
                59_999_500_000L, 86_400_000_000_000L));
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            nanos.add(i % 2 == 0 ? random.nextLong(10_000_000_000L) : random.nextLong(1000) * 500_000);
        }
        for (long n : nanos) {
            assertThat(Activation.seconds(Duration.ofNanos(n))).as("%d ns", n)
                    .isEqualTo(String.format(Locale.ROOT, "%.3f", n / 1e9));
        }
    }
}
