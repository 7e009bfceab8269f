package dev.lethe.exec;

import dev.lethe.linux.Fs;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.LetheFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The mark a boot leaves on its root when activation finished: {@code /.lethe-activated}, at the
 * top of the root, where no entry can be (entries at "/" are refused), so it is never persisted.
 * A fresh root comes from the blank state without it, so at the next wipe its absence means that
 * boot ran with a missing store or a failed mount, and wrote whatever it wrote onto the root: that
 * root is archived as degraded and kept until the user prunes it by id (safety invariant 5).
 */
public final class Activation {
    private Activation() {}

    public static final AbsolutePath MARK = LetheFiles.ACTIVATION_MARK;

    /**
     * What the mark says: the boot, when its activation finished, and how long it took. Marks
     * written before the duration was recorded hold only the first two fields.
     */
    public record Mark(String bootId, Instant finished, Optional<Duration> took) {}

    /**
     * Writes the mark on the managed root after a fully successful apply: boot id, time, and the
     * activation's duration in seconds as a third field (readers of the first two ignore it).
     */
    public static void mark(Fs fs, String bootId, Clock clock, Duration took) throws IOException {
        fs.writeFileAtomically(MARK, Syscalls.bytes(bootId + " " + utc(clock.instant()) + " " + seconds(took) + "\n"), 0644);
    }

    /*
     * The mark is written at every boot, so its two texts are made by hand: Instant.toString
     * initialises java.time's formatters and String.format("%.3f") the locale providers, both for
     * one line (about a tenth of a short boot's time on this machine kind). Each gives exactly what
     * the library would (ActivationMarkTest compares them).
     */

    /** The instant as {@link Instant#toString()} writes it (ISO-8601 in UTC, the fraction in groups of three digits). */
    static String utc(Instant instant) {
        long seconds = instant.getEpochSecond();
        long days = Math.floorDiv(seconds, 86_400);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400);
        // days since 1970-01-01 to a proleptic Gregorian date, in 400-year eras from 0000-03-01
        long shifted = days + 719_468;
        long era = Math.floorDiv(shifted, 146_097);
        long dayOfEra = shifted - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthFromMarch = (5 * dayOfYear + 2) / 153;
        long day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1;
        long month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        if (year < 0 || year > 9999) {
            return instant.toString();  // signs and wider years: not a boot's clock
        }
        StringBuilder text = new StringBuilder(30);
        digits(text, year, 4).append('-');
        digits(text, month, 2).append('-');
        digits(text, day, 2).append('T');
        digits(text, secondOfDay / 3600, 2).append(':');
        digits(text, secondOfDay / 60 % 60, 2).append(':');
        digits(text, secondOfDay % 60, 2);
        int nano = instant.getNano();
        if (nano > 0) {
            text.append('.');
            if (nano % 1_000_000 == 0) {
                digits(text, nano / 1_000_000, 3);
            } else if (nano % 1000 == 0) {
                digits(text, nano / 1000, 6);
            } else {
                digits(text, nano, 9);
            }
        }
        return text.append('Z').toString();
    }

    /** The duration in seconds with three decimals, as {@code String.format(Locale.ROOT, "%.3f", seconds)} writes it. */
    static String seconds(Duration took) {
        long millis = took.toNanos() / 1_000_000;
        if (took.toNanos() % 1_000_000 >= 500_000) {
            millis++;  // half up, as %.3f rounds
        }
        StringBuilder text = new StringBuilder().append(millis / 1000).append('.');
        return digits(text, millis % 1000, 3).toString();
    }

    private static StringBuilder digits(StringBuilder text, long value, int width) {
        String number = Long.toString(value);
        for (int i = number.length(); i < width; i++) {
            text.append('0');
        }
        return text.append(number);
    }

    /** The mark on the root, if there is one that reads as a mark (a damaged one reads as none). */
    public static Optional<Mark> read(Fs fs) throws IOException {
        if (fs.stat(MARK).filter(dev.lethe.linux.Stat::isRegularFile).isEmpty()) {
            return Optional.empty();
        }
        return parse(new String(fs.readFile(MARK), java.nio.charset.StandardCharsets.UTF_8));
    }

    static Optional<Mark> parse(String text) {
        String[] fields = text.strip().split(" ");
        if (fields.length < 2 || fields[0].isEmpty()) {
            return Optional.empty();
        }
        try {
            Instant finished = Instant.parse(fields[1]);
            Optional<Duration> took = fields.length > 2 && fields[2].matches("\\d{1,9}(\\.\\d{1,9})?")
                    ? Optional.of(Duration.ofNanos(Math.round(Double.parseDouble(fields[2]) * 1e9))) : Optional.empty();
            return Optional.of(new Mark(fields[0], finished, took));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * Removes a mark an earlier boot left (a root that was not wiped keeps it): this boot's root
     * carries a mark only if this boot's activation succeeds.
     */
    public static void clear(Fs fs) throws IOException {
        fs.removeFileIfPresent(MARK);
    }

    /** Whether the root at {@code hostRoot} carries the mark, i.e. its boot finished activation. */
    public static boolean marked(Path hostRoot) {
        return Files.isRegularFile(hostRoot.resolve(MARK.value().substring(1)), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }
}
