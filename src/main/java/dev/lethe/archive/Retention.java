package dev.lethe.archive;

import dev.lethe.config.RootConfig;
import java.time.DateTimeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Which archived old roots a retention policy keeps, as a pure function of the archives, the policy and
 * the clock. The rules are those of restic's {@code forget --keep-*} and btrbk's {@code *_preserve}
 * (which the config's words come from): each rule selects archives, the kept set is the <em>union</em> of
 * all selections, and every archive no rule selects is pruned. Where the two tools differ, the choice
 * is named below.
 *
 * <ul>
 *   <li><b>newest</b>: the newest archive is always kept, whatever the policy says (safety invariant 4).
 *       "Newest" means the newest one not in the future, so that a skewed clock at some earlier boot
 *       cannot make the archive just made look old; archives in the future are kept anyway (below).
 *   <li><b>last = N</b>: the N newest archives.
 *   <li><b>within = D</b>: every archive created in {@code [now - D, now]} (both ends included: at the
 *       boundary, keeping is the safe side). Like btrbk, and unlike restic, D counts back from now, not
 *       from the newest archive.
 *   <li><b>hourly, daily, weekly, monthly = N</b>: for each of the N most recent hours, days, ISO weeks
 *       (Monday to Sunday, weeks of the week-based year) or months, in the clock's zone, that
 *       contain at least one archive, the newest archive of that period. As in restic: the newest of
 *       a period, where btrbk keeps the first; and periods without an archive do not use up the count,
 *       so an archive from a month ago is still one of "daily = 7" when the machine was off meanwhile.
 *       Hours are the zone's real hours: the repeated hour at the end of summer time is two periods
 *       (both labelled alike).
 *   <li><b>degraded</b> archives (safety invariant 5) are always kept; only an explicit prune by id,
 *       which is not this function, may remove them.
 *   <li><b>in the future</b>: an archive created after now (clock skew) is kept and takes no part in
 *       the rules above, so it displaces no present archive from "last" or a period.
 * </ul>
 *
 * <p>A policy that declares no rule at all keeps every archive. An unwritten {@code keep} table means
 * the user has not yet said what may go, and a missing policy must never delete: pruning is the one
 * step of lethe that destroys data on purpose, so it needs a written reason. A rule written as 0 (for
 * example {@code keep = { last = 0 }}) is declared, and keeps nothing beyond the newest, degraded and
 * future archives.
 *
 * <p>Rules count archives of every kind: a degraded archive may be one of "last 3", and is kept in
 * addition for being degraded.
 */
public final class Retention {

    static final String NEWEST = "newest";
    static final String IN_THE_FUTURE = "in the future";
    static final String DEGRADED = "degraded: kept until pruned by id";
    static final String NO_POLICY = "no retention policy: nothing is pruned";

    /** Newest first; equal instants by id, so that every ordering and every "newest" is deterministic. */
    static final Comparator<ArchiveRef> NEWEST_FIRST = Comparator.comparing(ArchiveRef::created)
            .thenComparing(ArchiveRef::id).reversed();

    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:00");

    private Retention() {}

    /** The outcome: what stays, each with why, and what goes. Both lists are sorted newest first. */
    public record Decision(List<Kept> keep, List<ArchiveRef> prune) {
        public Decision {
            keep = List.copyOf(keep);
            prune = List.copyOf(prune);
        }

        /** The kept archives without their reasons, newest first. */
        public List<ArchiveRef> kept() {
            return keep.stream().map(Kept::archive).toList();
        }
    }

    /**
     * A kept archive and every reason that keeps it, such as "newest", "last 3", "within 2d",
     * "daily 2026-11-27", "weekly 2026-W48", "monthly 2026-11" or "degraded: kept until pruned by id".
     */
    public record Kept(ArchiveRef archive, List<String> reasons) {
        public Kept {
            Objects.requireNonNull(archive);
            reasons = List.copyOf(reasons);
            if (reasons.isEmpty()) {
                throw new IllegalArgumentException("an archive is kept only for a reason: " + archive.id());
            }
        }
    }

    /**
     * Decides which archives the policy keeps at {@code time.instant()}.
     *
     * @throws IllegalArgumentException if two archives share an id, or a rule is negative
     */
    public static Decision decide(List<ArchiveRef> archives, RootConfig.Retention policy, Clock time) {
        Objects.requireNonNull(policy);
        Instant now = Objects.requireNonNull(time.instant());
        ZoneId zone = Objects.requireNonNull(time.getZone());
        List<ArchiveRef> sorted = archives.stream().map(Objects::requireNonNull).sorted(NEWEST_FIRST).toList();
        requireUniqueIds(sorted);
        requireNotNegative(policy);

        Map<ArchiveRef, List<String>> reasons = new HashMap<>();
        List<ArchiveRef> present = new ArrayList<>();
        for (ArchiveRef archive : sorted) {
            if (archive.created().isAfter(now)) {
                because(reasons, archive, IN_THE_FUTURE);
            } else {
                present.add(archive);
            }
        }
        if (!present.isEmpty()) {
            because(reasons, present.getFirst(), NEWEST);
        }
        if (declaresNothing(policy)) {
            sorted.forEach(archive -> because(reasons, archive, NO_POLICY));
        }
        policy.last().ifPresent(n -> present.stream().limit(n)
                .forEach(archive -> because(reasons, archive, "last " + n)));
        policy.within().ifPresent(d -> {
            Instant since = minus(now, d);
            present.stream().filter(a -> !a.created().isBefore(since))
                    .forEach(archive -> because(reasons, archive, "within " + format(d)));
        });
        perPeriod(Period.HOURLY, policy.hourly(), present, zone, reasons);
        perPeriod(Period.DAILY, policy.daily(), present, zone, reasons);
        perPeriod(Period.WEEKLY, policy.weekly(), present, zone, reasons);
        perPeriod(Period.MONTHLY, policy.monthly(), present, zone, reasons);
        sorted.stream().filter(ArchiveRef::degraded).forEach(archive -> because(reasons, archive, DEGRADED));

        List<Kept> keep = new ArrayList<>();
        List<ArchiveRef> prune = new ArrayList<>();
        for (ArchiveRef archive : sorted) {
            List<String> why = reasons.get(archive);
            if (why == null) {
                prune.add(archive);
            } else {
                keep.add(new Kept(archive, why));
            }
        }
        return new Decision(keep, prune);
    }

    /** True when the policy writes no rule, so that {@link #decide} prunes nothing. */
    public static boolean declaresNothing(RootConfig.Retention policy) {
        return policy.last().isEmpty() && policy.within().isEmpty() && policy.hourly().isEmpty()
                && policy.daily().isEmpty() && policy.weekly().isEmpty() && policy.monthly().isEmpty();
    }

    /** The calendar periods of the per-period rules, in the zone of the clock. */
    private enum Period {
        HOURLY {
            @Override
            String label(ZonedDateTime at) {
                return "hourly " + HOUR.format(at);
            }

            @Override
            Object key(ZonedDateTime at) {
                // The instant, not the local hour, so that the repeated hour in autumn is two periods.
                return at.truncatedTo(ChronoUnit.HOURS).toInstant();
            }
        },
        DAILY {
            @Override
            String label(ZonedDateTime at) {
                return "daily " + at.toLocalDate();
            }
        },
        WEEKLY {
            @Override
            String label(ZonedDateTime at) {
                return "weekly %d-W%02d".formatted(at.get(IsoFields.WEEK_BASED_YEAR),
                        at.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            }
        },
        MONTHLY {
            @Override
            String label(ZonedDateTime at) {
                return "monthly " + YearMonth.from(at);
            }
        };

        /** The reason given to the archive kept for the period holding {@code at}. */
        abstract String label(ZonedDateTime at);

        /** Equal for two instants in the same period. */
        Object key(ZonedDateTime at) {
            return label(at);
        }
    }

    /**
     * Keeps the newest archive of each of the {@code count} most recent periods that hold one. The
     * archives come newest first, so the first one seen in a period is its newest.
     */
    private static void perPeriod(Period period, OptionalInt count, List<ArchiveRef> present, ZoneId zone,
            Map<ArchiveRef, List<String>> reasons) {
        if (count.isEmpty()) {
            return;
        }
        Set<Object> seen = new HashSet<>();
        for (ArchiveRef archive : present) {
            if (seen.size() == count.getAsInt()) {
                return;
            }
            ZonedDateTime at = archive.created().atZone(zone);
            if (seen.add(period.key(at))) {
                because(reasons, archive, period.label(at));
            }
        }
    }

    private static void because(Map<ArchiveRef, List<String>> reasons, ArchiveRef archive, String reason) {
        reasons.computeIfAbsent(archive, a -> new ArrayList<>()).add(reason);
    }

    /** {@code now - d}, or the beginning of time when d reaches back further than an Instant can. */
    private static Instant minus(Instant now, Duration d) {
        try {
            return now.minus(d);
        } catch (DateTimeException | ArithmeticException e) {
            return Instant.MIN;
        }
    }

    /** A duration as the config writes it: "2d", "36h"; finer ones in minutes or seconds. */
    static String format(Duration d) {
        if (d.toSeconds() % 86_400 == 0 && d.getNano() == 0) {
            return d.toDays() + "d";
        }
        if (d.toSeconds() % 3_600 == 0 && d.getNano() == 0) {
            return d.toHours() + "h";
        }
        if (d.toSeconds() % 60 == 0 && d.getNano() == 0) {
            return d.toMinutes() + "min";
        }
        return d.toSeconds() + "s";
    }

    private static void requireUniqueIds(List<ArchiveRef> archives) {
        Set<String> ids = new HashSet<>();
        for (ArchiveRef archive : archives) {
            if (!ids.add(archive.id())) {
                throw new IllegalArgumentException("two archives are both called " + archive.id()
                        + "; a listing must name each archive once");
            }
        }
    }

    private static void requireNotNegative(RootConfig.Retention policy) {
        List<Map.Entry<String, OptionalInt>> counts = List.of(Map.entry("last", policy.last()),
                Map.entry("hourly", policy.hourly()), Map.entry("daily", policy.daily()),
                Map.entry("weekly", policy.weekly()), Map.entry("monthly", policy.monthly()));
        for (Map.Entry<String, OptionalInt> count : counts) {
            if (count.getValue().isPresent() && count.getValue().getAsInt() < 0) {
                throw new IllegalArgumentException("keep." + count.getKey() + " must be 0 or more, got "
                        + count.getValue().getAsInt());
            }
        }
        Optional<Duration> within = policy.within();
        if (within.isPresent() && within.get().isNegative()) {
            throw new IllegalArgumentException("keep.within must not be negative, got " + within.get());
        }
    }
}
