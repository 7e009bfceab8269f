package dev.lethe.root.overlay;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The name of one boot directory under {@code <upper>/boots}: the UTC second the wipe that made it
 * ran, as {@code 20261128T214500Z}. The name is the archive's id and its creation time, and names
 * sort in time order, so a plain name comparison tells which boot came later.
 *
 * <p>Only names that format back to exactly themselves are lethe's: nothing else under {@code boots}
 * is listed, read or destroyed.
 */
record BootName(String id, Instant created) implements Comparable<BootName> {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC).withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern SHAPE = Pattern.compile("[0-9]{8}T[0-9]{6}Z");

    /** The name of a boot directory made at {@code now}, to the second. */
    static BootName at(Instant now) {
        Instant second = now.truncatedTo(ChronoUnit.SECONDS);
        return new BootName(FORMAT.format(second), second);
    }

    /** The boot directory name {@code text}, if it is one lethe would give. */
    static Optional<BootName> parse(String text) {
        if (text == null || !SHAPE.matcher(text).matches()) {
            return Optional.empty();
        }
        try {
            Instant created = Instant.from(FORMAT.parse(text));
            return FORMAT.format(created).equals(text) ? Optional.of(new BootName(text, created)) : Optional.empty();
        } catch (DateTimeParseException e) {
            return Optional.empty();  // right shape, impossible date: 20261399T...
        }
    }

    /** The name for a new boot directory: {@code now}, or one second after {@code newest} if the clock is not past it. */
    static BootName after(Instant now, Optional<BootName> newest) {
        BootName wanted = at(now);
        if (newest.isPresent() && wanted.compareTo(newest.get()) <= 0) {
            return at(newest.get().created().plusSeconds(1));
        }
        return wanted;
    }

    @Override
    public int compareTo(BootName other) {
        return created.compareTo(other.created);
    }

    @Override
    public String toString() {
        return id;
    }
}
