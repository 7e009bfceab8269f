package dev.lethe.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as retention rules write them: "36h", "2d", "1w". */
final class Durations {

    // No "m": btrbk reads it as months and others as minutes, so it would surprise someone.
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})([hdw])");

    private Durations() {}

    /** Parses a positive duration; throws with a user-facing reason otherwise. */
    static Duration parse(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "must be a duration like \"36h\", \"2d\" or \"1w\" (hours, days, weeks), got \"" + text + "\"");
        }
        long amount = Long.parseLong(m.group(1));
        if (amount == 0) {
            throw new IllegalArgumentException("must be longer than zero, got \"" + text + "\"");
        }
        return switch (m.group(2)) {
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> Duration.ofDays(7 * amount);
        };
    }
}
