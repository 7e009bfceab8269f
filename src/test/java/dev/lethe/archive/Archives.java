package dev.lethe.archive;

import dev.lethe.config.RootConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Short ways to write archives, policies and decisions in tests. */
final class Archives {

    static final RootConfig.Retention NO_POLICY = keep("");

    private static final DateTimeFormatter ID =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private Archives() {}

    /** An archive named as the btrfs strategy names them, after its creation time in UTC. */
    static ArchiveRef archive(String instant) {
        Instant created = Instant.parse(instant);
        return new ArchiveRef(ID.format(created), created, false);
    }

    static ArchiveRef degraded(String instant) {
        ArchiveRef archive = archive(instant);
        return new ArchiveRef(archive.id(), archive.created(), true);
    }

    /**
     * A policy written like the config's keep table, without braces: "last = 3, within = 2d, daily = 7".
     * Durations take h, d, w as in the config, and "min" for tests of finer ones.
     */
    static RootConfig.Retention keep(String rules) {
        OptionalInt last = OptionalInt.empty();
        OptionalInt hourly = OptionalInt.empty();
        OptionalInt daily = OptionalInt.empty();
        OptionalInt weekly = OptionalInt.empty();
        OptionalInt monthly = OptionalInt.empty();
        Optional<Duration> within = Optional.empty();
        for (String rule : rules.split(",")) {
            if (rule.isBlank()) {
                continue;
            }
            String[] kv = rule.split("=");
            String key = kv[0].strip();
            String value = kv[1].strip();
            switch (key) {
                case "last" -> last = OptionalInt.of(Integer.parseInt(value));
                case "hourly" -> hourly = OptionalInt.of(Integer.parseInt(value));
                case "daily" -> daily = OptionalInt.of(Integer.parseInt(value));
                case "weekly" -> weekly = OptionalInt.of(Integer.parseInt(value));
                case "monthly" -> monthly = OptionalInt.of(Integer.parseInt(value));
                case "within" -> within = Optional.of(duration(value));
                default -> throw new IllegalArgumentException("no rule " + key);
            }
        }
        return new RootConfig.Retention(last, within, hourly, daily, weekly, monthly);
    }

    private static Duration duration(String text) {
        if (text.endsWith("min")) {
            return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 3)));
        }
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            case 'w' -> Duration.ofDays(7 * n);
            default -> throw new IllegalArgumentException(text);
        };
    }

    /** A decision as lines, newest first: "keep ID: reason, reason" then "prune ID". */
    static List<String> lines(Retention.Decision decision) {
        List<String> lines = new ArrayList<>();
        decision.keep().forEach(k -> lines.add("keep " + k.archive().id() + ": " + String.join(", ", k.reasons())));
        decision.prune().forEach(a -> lines.add("prune " + a.id()));
        return lines;
    }
}
