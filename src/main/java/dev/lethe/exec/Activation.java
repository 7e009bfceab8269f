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
        String seconds = String.format(java.util.Locale.ROOT, "%.3f", took.toNanos() / 1e9);
        fs.writeFileAtomically(MARK, Syscalls.bytes(bootId + " " + clock.instant() + " " + seconds + "\n"), 0644);
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
