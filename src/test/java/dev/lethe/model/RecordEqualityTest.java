package dev.lethe.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.config.ConfigCache;
import dev.lethe.config.ConfigInputs;
import dev.lethe.config.RootConfig.Retention;
import dev.lethe.plan.Action;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The records whose equals and hashCode are written out (their generated ones cost every boot a
 * java.lang.invoke bootstrap) are equal exactly when every component is, as a record's are.
 */
class RecordEqualityTest {

    /** Each value differs from the first in one component; the copy of the first is equal to it. */
    private static <T> void equalExactlyWhenEveryComponentIs(T first, T copy, List<T> oneComponentChanged) {
        assertThat(first).isEqualTo(copy).isNotSameAs(copy).hasSameHashCodeAs(copy);
        assertThat(first).isNotEqualTo(null).isNotEqualTo("something else");
        for (T changed : oneComponentChanged) {
            assertThat(first).isNotEqualTo(changed);
            assertThat(changed).isNotEqualTo(first).isEqualTo(changed);
        }
    }

    @Test
    void absolutePath() {
        equalExactlyWhenEveryComponentIs(AbsolutePath.of("/var/log"), AbsolutePath.of(new String("/var/log")),
                List.of(AbsolutePath.of("/var/lib"), AbsolutePath.ROOT));
    }

    @Test
    void retention() {
        OptionalInt none = OptionalInt.empty();
        Retention first = new Retention(OptionalInt.of(3), Optional.of(Duration.ofDays(2)), OptionalInt.of(4), OptionalInt.of(5),
                OptionalInt.of(6), OptionalInt.of(7));
        Retention copy = new Retention(OptionalInt.of(3), Optional.of(Duration.ofDays(2)), OptionalInt.of(4), OptionalInt.of(5),
                OptionalInt.of(6), OptionalInt.of(7));
        equalExactlyWhenEveryComponentIs(first, copy, List.of(
                new Retention(none, first.within(), first.hourly(), first.daily(), first.weekly(), first.monthly()),
                new Retention(first.last(), Optional.empty(), first.hourly(), first.daily(), first.weekly(), first.monthly()),
                new Retention(first.last(), first.within(), none, first.daily(), first.weekly(), first.monthly()),
                new Retention(first.last(), first.within(), first.hourly(), none, first.weekly(), first.monthly()),
                new Retention(first.last(), first.within(), first.hourly(), first.daily(), none, first.monthly()),
                new Retention(first.last(), first.within(), first.hourly(), first.daily(), first.weekly(), none)));
        assertThat(new Retention(none, Optional.empty(), none, none, none, none)).isEqualTo(Retention.UNDECLARED)
                .hasSameHashCodeAs(Retention.UNDECLARED);
    }

    @Test
    void configCacheKey() throws Exception {
        ConfigCache.Key first = new ConfigCache.Key("build 1", inputs("directories = []"));
        equalExactlyWhenEveryComponentIs(first, new ConfigCache.Key("build 1", inputs("directories = []")), List.of(
                new ConfigCache.Key("build 2", inputs("directories = []")),
                new ConfigCache.Key("build 1", inputs("files = []"))));
    }

    @Test
    void ownership() {
        equalExactlyWhenEveryComponentIs(new Action.Ownership(1000, 100, 0750), new Action.Ownership(1000, 100, 0750), List.of(
                new Action.Ownership(1001, 100, 0750), new Action.Ownership(1000, 101, 0750), new Action.Ownership(1000, 100, 0700)));
    }

    private static ConfigInputs inputs(String config) throws Exception {
        return new ConfigInputs("/etc/lethe/lethe.toml", config.getBytes(StandardCharsets.UTF_8),
                "root:x:0:0::/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8), "root:x:0:\n".getBytes(StandardCharsets.UTF_8));
    }
}
