package dev.lethe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.config.RootConfig.Retention;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetentionParseTest {

    private static final String BTRFS = """
            [root]
            strategy = "btrfs"
            device = "/dev/sda2"
            subvolume = "@root"
            blank = "@blank"
            [root.archive]
            """;

    @ParameterizedTest
    @CsvSource({"36h, PT36H", "2d, PT48H", "1w, PT168H", "52w, PT8736H"})
    void durationsInHoursDaysAndWeeks(String text, Duration expected) {
        assertThat(Durations.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2", "d", "2 d", "2D", "3m", "1y", "-1d", "1.5d", "1d12h", "9999999999h"})
    void otherDurationsAreRefused(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("like \"36h\"");
    }

    @Test
    void aZeroDurationIsRefused() {
        assertThatThrownBy(() -> Durations.parse("0d")).hasMessageContaining("longer than zero");
    }

    @Test
    void everyRuleIsRead() throws ConfigException {
        Retention retention = ConfigLoaderTest.parse(BTRFS
                + "keep = { last = 0, within = \"36h\", hourly = 24, daily = 7, weekly = 4, monthly = 12 }\n")
                .root().retention();
        assertThat(retention).isEqualTo(new Retention(OptionalInt.of(0), Optional.of(Duration.ofHours(36)),
                OptionalInt.of(24), OptionalInt.of(7), OptionalInt.of(4), OptionalInt.of(12)));
    }

    @Test
    void unwrittenRulesAreEmpty() throws ConfigException {
        assertThat(ConfigLoaderTest.parse(BTRFS + "keep = { weekly = 4 }\n").root().retention())
                .isEqualTo(new Retention(OptionalInt.empty(), Optional.empty(), OptionalInt.empty(),
                        OptionalInt.empty(), OptionalInt.of(4), OptionalInt.empty()));
        assertThat(ConfigLoaderTest.parse(BTRFS).root().retention()).isEqualTo(Retention.UNDECLARED);
    }

    @Test
    void badRulesAreAllReportedOnTheirLine() {
        List<ConfigError> errors = ConfigLoaderTest.errorsOf(BTRFS + """
                [root.archive.keep]
                last = -1
                within = "0h"
                daily = "7"
                yearly = 2
                hourley = 3
                """);
        assertThat(errors).extracting(e -> e.origin().line()).containsExactly(8, 9, 10, 11, 12);
        assertThat(errors).extracting(ConfigError::message).containsExactly(
                "keep.last must be 0 or more (and fit in 32 bits); got -1",
                "keep.within must be longer than zero, got \"0h\"",
                "keep.daily must be a whole number like 7; found a string",
                "unknown key 'yearly' in root.archive.keep; the known ones are last, within, hourly, daily, weekly, monthly",
                "unknown key 'hourley' in root.archive.keep; did you mean 'hourly'?");
    }

    @Test
    void keepMustBeATable() {
        ConfigError error = ConfigLoaderTest.onlyErrorOf(BTRFS + "keep = 3\n");
        assertThat(error.origin().line()).isEqualTo(7);
        assertThat(error.message()).contains("keep must be a table");
    }
}
