package dev.lethe.root.btrfs;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of an archive subvolume under lethe-archives: {@code <root name>.<UTC time>[.degraded]},
 * e.g. {@code @root.20261128T214500Z}. Absolute UTC time in the name keeps archives sorted and
 * unambiguous across time zones; relative labels are computed only when shown.
 *
 * @param base     the last component of the root subvolume's path ("@root")
 * @param created  the wipe's time, whole seconds
 * @param degraded the boot that used this root did not finish activation
 */
record ArchiveName(String base, Instant created, boolean degraded) {

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String DEGRADED = ".degraded";
    private static final Pattern NAME = Pattern.compile("(.+)\\.(\\d{8}T\\d{6}Z)(\\.degraded)?");

    ArchiveName {
        created = created.truncatedTo(ChronoUnit.SECONDS);
    }

    @Override
    public String toString() {
        return base + "." + STAMP.format(created) + (degraded ? DEGRADED : "");
    }

    /** The archive a name stands for, or empty if the name is not an archive name. */
    static Optional<ArchiveName> parse(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ArchiveName(m.group(1), Instant.from(STAMP.parse(m.group(2))), m.group(3) != null));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
