package dev.lethe.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.config.RootConfig;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@link Retention#decide} over generated cases (see {@link RetentionCase}), each checked
 * against a separate, plainer reading of the rules: grouping and sorting instead of one pass.
 */
class RetentionPropertiesTest {

    private static final Comparator<ArchiveRef> NEWEST_FIRST =
            Comparator.comparing(ArchiveRef::created).reversed().thenComparing(ArchiveRef::id, Comparator.reverseOrder());

    private static void forAll(Consumer<RetentionCase> check) {
        Property.forAll(RetentionCase::generate, RetentionCase::shrinks, check);
    }

    /** The archives at or before now, newest first. */
    private static List<ArchiveRef> present(RetentionCase c) {
        return c.archives().stream().filter(a -> !a.created().isAfter(c.time().instant())).sorted(NEWEST_FIRST).toList();
    }

    private static Set<ArchiveRef> kept(Retention.Decision decision) {
        return new HashSet<>(decision.kept());
    }

    private static List<String> reasonsOf(Retention.Decision decision, ArchiveRef archive) {
        return decision.keep().stream().filter(k -> k.archive().equals(archive)).findFirst()
                .map(Retention.Kept::reasons).orElseThrow(() -> new AssertionError(archive.id() + " is pruned"));
    }

    @Test
    void theNewestArchiveIsNeverPruned() {
        forAll(c -> {
            Retention.Decision decision = c.decide();
            c.archives().stream().min(NEWEST_FIRST)
                    .ifPresent(newest -> assertThat(decision.prune()).doesNotContain(newest));
            present(c).stream().findFirst().ifPresent(newest -> assertThat(reasonsOf(decision, newest)).contains("newest"));
        });
    }

    @Test
    void degradedArchivesAreNeverPruned() {
        forAll(c -> assertThat(c.decide().prune()).noneMatch(ArchiveRef::degraded));
    }

    @Test
    void archivesInTheFutureAreNeverPruned() {
        forAll(c -> assertThat(c.decide().prune()).allMatch(a -> !a.created().isAfter(c.time().instant())));
    }

    @Test
    void keepAndPruneSplitTheInputNewestFirst() {
        forAll(c -> {
            Retention.Decision decision = c.decide();
            List<ArchiveRef> all = new ArrayList<>(decision.kept());
            all.addAll(decision.prune());
            assertThat(all).containsExactlyInAnyOrderElementsOf(c.archives());
            assertThat(decision.kept()).noneMatch(decision.prune()::contains);
            assertThat(decision.kept()).isSortedAccordingTo(NEWEST_FIRST);
            assertThat(decision.prune()).isSortedAccordingTo(NEWEST_FIRST);
        });
    }

    @Test
    void lastKeepsTheNNewest() {
        forAll(c -> c.policy().last().ifPresent(n -> {
            Retention.Decision decision = c.decide();
            for (ArchiveRef archive : present(c).stream().limit(n).toList()) {
                assertThat(reasonsOf(decision, archive)).contains("last " + n);
            }
            // Archives in the future are kept besides, so the n newest of all are kept too.
            assertThat(kept(decision)).containsAll(c.archives().stream().sorted(NEWEST_FIRST).limit(n).toList());
        }));
    }

    @Test
    void withinKeepsEverythingYoungerThanTheDuration() {
        forAll(c -> c.policy().within().ifPresent(d -> {
            Retention.Decision decision = c.decide();
            Instant now = c.time().instant();
            c.archives().stream().filter(a -> !a.created().isAfter(now) && !a.created().isBefore(now.minus(d)))
                    .forEach(a -> assertThat(reasonsOf(decision, a)).contains("within " + Retention.format(d)));
        }));
    }

    @Test
    void hourlyKeepsTheNewestOfEachOfTheLastNHoursWithArchives() {
        forAll(c -> checkPeriods(c, c.policy().hourly(), "hourly ",
                (at, zone) -> at.atZone(zone).truncatedTo(ChronoUnit.HOURS).toInstant()));
    }

    @Test
    void dailyKeepsTheNewestOfEachOfTheLastNDaysWithArchives() {
        forAll(c -> checkPeriods(c, c.policy().daily(), "daily ", (at, zone) -> LocalDate.ofInstant(at, zone)));
    }

    @Test
    void weeklyKeepsTheNewestOfEachOfTheLastNWeeksWithArchives() {
        forAll(c -> checkPeriods(c, c.policy().weekly(), "weekly ", (at, zone) -> LocalDate.ofInstant(at, zone)
                .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))));
    }

    @Test
    void monthlyKeepsTheNewestOfEachOfTheLastNMonthsWithArchives() {
        forAll(c -> checkPeriods(c, c.policy().monthly(), "monthly ", (at, zone) -> YearMonth.from(at.atZone(zone))));
    }

    private static <P extends Comparable<P>> void checkPeriods(RetentionCase c, OptionalInt count, String reason,
            BiFunction<Instant, ZoneId, P> periodOf) {
        if (count.isEmpty()) {
            return;
        }
        Retention.Decision decision = c.decide();
        for (ArchiveRef archive : newestOfRecentPeriods(c, count.getAsInt(), periodOf)) {
            assertThat(reasonsOf(decision, archive)).anyMatch(r -> r.startsWith(reason));
        }
    }

    /** The newest present archive of each of the n latest periods that hold any present archive. */
    private static <P extends Comparable<P>> List<ArchiveRef> newestOfRecentPeriods(RetentionCase c, int n,
            BiFunction<Instant, ZoneId, P> periodOf) {
        Map<P, List<ArchiveRef>> byPeriod = present(c).stream().collect(Collectors.groupingBy(
                a -> periodOf.apply(a.created(), c.time().getZone()), TreeMap::new, Collectors.toList()));
        return ((TreeMap<P, List<ArchiveRef>>) byPeriod).descendingMap().values().stream().limit(n)
                .map(archives -> Collections.min(archives, NEWEST_FIRST)).toList();
    }

    /** What the rules together should keep, read off the policy one rule at a time. */
    private static Set<ArchiveRef> expectedKeep(RetentionCase c) {
        RootConfig.Retention p = c.policy();
        if (Retention.declaresNothing(p)) {
            return new HashSet<>(c.archives());
        }
        List<ArchiveRef> present = present(c);
        Set<ArchiveRef> keep = new HashSet<>();
        c.archives().stream().filter(a -> a.degraded() || a.created().isAfter(c.time().instant())).forEach(keep::add);
        present.stream().limit(1).forEach(keep::add);
        p.last().ifPresent(n -> keep.addAll(present.stream().limit(n).toList()));
        p.within().ifPresent(d -> present.stream()
                .filter(a -> ChronoUnit.SECONDS.between(a.created(), c.time().instant()) <= d.toSeconds()).forEach(keep::add));
        p.hourly().ifPresent(n -> keep.addAll(newestOfRecentPeriods(c, n,
                (at, zone) -> at.atZone(zone).truncatedTo(ChronoUnit.HOURS).toInstant())));
        p.daily().ifPresent(n -> keep.addAll(newestOfRecentPeriods(c, n, LocalDate::ofInstant)));
        p.weekly().ifPresent(n -> keep.addAll(newestOfRecentPeriods(c, n,
                (at, zone) -> LocalDate.ofInstant(at, zone).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)))));
        p.monthly().ifPresent(n -> keep.addAll(newestOfRecentPeriods(c, n, (at, zone) -> YearMonth.from(at.atZone(zone)))));
        return keep;
    }

    @Test
    void nothingBeyondTheRulesIsKept() {
        forAll(c -> assertThat(kept(c.decide())).isEqualTo(expectedKeep(c)));
    }

    @Test
    void decidingAgainOnTheKeptArchivesPrunesNothing() {
        forAll(c -> {
            Retention.Decision first = c.decide();
            Retention.Decision again = Retention.decide(first.kept(), c.policy(), c.time());
            assertThat(again.prune()).isEmpty();
            assertThat(again.keep()).isEqualTo(first.keep());
        });
    }

    @Test
    void aPolicyThatDeclaresNothingPrunesNothing() {
        forAll(c -> {
            RetentionCase undeclared = new RetentionCase(c.archives(), Archives.NO_POLICY, c.time());
            assertThat(undeclared.decide().prune()).isEmpty();
            assertThat(undeclared.decide().kept()).containsExactlyInAnyOrderElementsOf(c.archives());
        });
    }

    @Test
    void theOrderOfTheInputDoesNotMatter() {
        forAll(c -> {
            List<ArchiveRef> shuffled = new ArrayList<>(c.archives());
            Collections.shuffle(shuffled, new SplittableRandom(c.archives().size()));
            assertThat(Retention.decide(shuffled, c.policy(), c.time())).isEqualTo(c.decide());
        });
    }

    /** Guards the generator: a property is only as good as the cases it sees. */
    @Test
    void theGeneratedCasesReachEveryInterestingSituation() {
        List<RetentionCase> cases = Property.cases(RetentionCase::generate).toList();
        assertThat(cases).filteredOn(c -> !c.decide().prune().isEmpty()).hasSizeGreaterThan(cases.size() / 2);
        assertThat(cases).filteredOn(c -> c.archives().size() >= 150).isNotEmpty();
        assertThat(cases).filteredOn(c -> Retention.declaresNothing(c.policy())).isNotEmpty();
        assertThat(cases).filteredOn(c -> c.archives().stream().anyMatch(a -> a.created().isAfter(c.time().instant())))
                .isNotEmpty();
        // A degraded archive that only its flag keeps.
        assertThat(cases).filteredOn(c -> c.decide().keep().stream()
                .anyMatch(k -> k.reasons().equals(List.of(Retention.DEGRADED)))).isNotEmpty();
        // An archive exactly on the within boundary.
        assertThat(cases).filteredOn(c -> c.policy().within().map(d -> c.archives().stream()
                .anyMatch(a -> a.created().equals(c.time().instant().minus(d)))).orElse(false)).isNotEmpty();
        // An hour holding several archives, of which the hourly rule keeps only one.
        assertThat(cases).filteredOn(c -> c.policy().hourly().orElse(0) > 0 && present(c).stream()
                .collect(Collectors.groupingBy(a -> a.created().atZone(c.time().getZone()).truncatedTo(ChronoUnit.HOURS),
                        Collectors.counting()))
                .values().stream().anyMatch(n -> n > 1)).isNotEmpty();
        // Counts at the ends of their range.
        assertThat(cases).filteredOn(c -> c.policy().last().equals(OptionalInt.of(0))).isNotEmpty();
        assertThat(cases).filteredOn(c -> c.policy().daily().equals(OptionalInt.of(10))).isNotEmpty();
        assertThat(cases).filteredOn(c -> c.policy().within().equals(Optional.of(Duration.ZERO))).isNotEmpty();
    }
}
