package dev.lethe.archive;

import static dev.lethe.archive.Archives.NO_POLICY;
import static dev.lethe.archive.Archives.archive;
import static dev.lethe.archive.Archives.degraded;
import static dev.lethe.archive.Archives.keep;
import static dev.lethe.archive.Archives.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.config.RootConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetentionTest {

    /** Saturday 2026-11-28 21:45 UTC, in ISO week 2026-W48. */
    private static final String NOW = "2026-11-28T21:45:00Z";

    private static List<String> decide(String policy, ArchiveRef... archives) {
        return decide(keep(policy), FakeClock.at(NOW, "UTC"), archives);
    }

    private static List<String> decide(RootConfig.Retention policy, Clock time, ArchiveRef... archives) {
        return lines(Retention.decide(List.of(archives), policy, time));
    }

    @Nested
    class Rules {

        @Test
        void theNewestIsKeptEvenByAPolicyThatKeepsNothingElse() {
            assertThat(decide("last = 0",
                    archive("2026-11-26T08:00:00Z"), archive("2026-11-28T08:00:00Z"), archive("2026-11-27T08:00:00Z")))
                    .containsExactly(
                            "keep 20261128T080000Z: newest",
                            "prune 20261127T080000Z",
                            "prune 20261126T080000Z");
        }

        @ParameterizedTest
        @ValueSource(strings = {"last = 0", "hourly = 0", "daily = 0", "weekly = 0", "monthly = 0", "within = 1h",
                "last = 0, hourly = 0, daily = 0, weekly = 0, monthly = 0"})
        void aRuleWrittenAsZeroIsDeclaredAndPrunes(String policy) {
            assertThat(decide(policy, archive("2026-11-28T08:00:00Z"), archive("2026-11-20T08:00:00Z")))
                    .containsExactly("keep 20261128T080000Z: newest", "prune 20261120T080000Z");
        }

        @Test
        void lastKeepsTheNNewest() {
            assertThat(decide("last = 3",
                    archive("2026-11-28T08:00:00Z"), archive("2026-11-27T08:00:00Z"), archive("2026-11-27T07:00:00Z"),
                    archive("2026-11-26T08:00:00Z"), archive("2026-10-01T08:00:00Z")))
                    .containsExactly(
                            "keep 20261128T080000Z: newest, last 3",
                            "keep 20261127T080000Z: last 3",
                            "keep 20261127T070000Z: last 3",
                            "prune 20261126T080000Z",
                            "prune 20261001T080000Z");
        }

        @Test
        void withinKeepsEverythingFromNowBackToTheBoundaryIncluded() {
            assertThat(decide("within = 2d",
                    archive(NOW), archive("2026-11-26T21:45:00Z"), archive("2026-11-26T21:44:59Z")))
                    .containsExactly(
                            "keep 20261128T214500Z: newest, within 2d",
                            "keep 20261126T214500Z: within 2d",
                            "prune 20261126T214459Z");
        }

        @Test
        void withinCountsBackFromNowNotFromTheNewestArchive() {
            // restic counts keep-within from the newest snapshot; here a machine off for a week keeps
            // only what the other rules and the newest-archive guarantee keep.
            assertThat(decide("within = 2d", archive("2026-11-21T08:00:00Z"), archive("2026-11-20T08:00:00Z")))
                    .containsExactly("keep 20261121T080000Z: newest", "prune 20261120T080000Z");
        }

        @ParameterizedTest
        @CsvSource({"36h, within 36h", "2d, within 2d", "1w, within 7d", "90min, within 90min"})
        void withinIsNamedInTheUnitsTheConfigUses(String written, String reason) {
            assertThat(decide("within = " + written, archive("2026-11-28T20:45:00Z")))
                    .containsExactly("keep 20261128T204500Z: newest, " + reason);
        }

        @Test
        void hourlyKeepsTheNewestOfEachOfTheMostRecentHoursWithArchives() {
            assertThat(decide("hourly = 2",
                    archive("2026-11-28T21:40:00Z"), archive("2026-11-28T21:10:00Z"),
                    archive("2026-11-28T19:50:00Z"), archive("2026-11-28T19:00:00Z"), archive("2026-11-28T18:00:00Z")))
                    .containsExactly(
                            "keep 20261128T214000Z: newest, hourly 2026-11-28 21:00",
                            // 20:00 had no archive and does not use up the count.
                            "keep 20261128T195000Z: hourly 2026-11-28 19:00",
                            "prune 20261128T211000Z",
                            "prune 20261128T190000Z",
                            "prune 20261128T180000Z");
        }

        @Test
        void dailyKeepsTheNewestOfEachOfTheMostRecentDaysWithArchives() {
            assertThat(decide("daily = 3",
                    archive("2026-11-28T08:00:00Z"), archive("2026-11-27T20:00:00Z"), archive("2026-11-27T08:00:00Z"),
                    archive("2026-11-25T08:00:00Z"), archive("2026-11-24T08:00:00Z")))
                    .containsExactly(
                            "keep 20261128T080000Z: newest, daily 2026-11-28",
                            "keep 20261127T200000Z: daily 2026-11-27",
                            "keep 20261125T080000Z: daily 2026-11-25",
                            "prune 20261127T080000Z",
                            "prune 20261124T080000Z");
        }

        @Test
        void dailySkipsDaysTheMachineWasOff() {
            List<ArchiveRef> monthly = new ArrayList<>();
            for (int month = 1; month <= 10; month++) {
                monthly.add(archive("2026-%02d-15T08:00:00Z".formatted(month)));
            }
            Retention.Decision decision = Retention.decide(monthly, keep("daily = 7"), FakeClock.at(NOW, "UTC"));
            assertThat(decision.kept()).hasSize(7);
            assertThat(decision.prune()).extracting(ArchiveRef::id)
                    .containsExactly("20260315T080000Z", "20260215T080000Z", "20260115T080000Z");
        }

        @Test
        void weeklyUsesIsoWeeksWhichCrossTheNewYear() {
            // 2026-12-28 (Monday) to 2027-01-03 (Sunday) are all ISO week 2026-W53.
            assertThat(decide(keep("weekly = 2"), FakeClock.at("2027-01-05T12:00:00Z", "UTC"),
                    archive("2027-01-04T08:00:00Z"), archive("2027-01-03T08:00:00Z"), archive("2026-12-28T08:00:00Z"),
                    archive("2026-12-27T08:00:00Z"), archive("2026-12-20T08:00:00Z")))
                    .containsExactly(
                            "keep 20270104T080000Z: newest, weekly 2027-W01",
                            "keep 20270103T080000Z: weekly 2026-W53",
                            "prune 20261228T080000Z",
                            "prune 20261227T080000Z",
                            "prune 20261220T080000Z");
        }

        @Test
        void monthlyKeepsTheNewestOfEachOfTheMostRecentMonthsWithArchives() {
            assertThat(decide("monthly = 2",
                    archive("2026-11-28T08:00:00Z"), archive("2026-11-01T00:00:00Z"),
                    archive("2026-10-31T23:59:59Z"), archive("2026-09-15T08:00:00Z")))
                    .containsExactly(
                            "keep 20261128T080000Z: newest, monthly 2026-11",
                            "keep 20261031T235959Z: monthly 2026-10",
                            "prune 20261101T000000Z",
                            "prune 20260915T080000Z");
        }

        @Test
        void theRulesKeepTheirUnion() {
            assertThat(decide("last = 1, daily = 2, monthly = 2",
                    archive("2026-11-28T08:00:00Z"), archive("2026-11-27T09:00:00Z"), archive("2026-11-27T08:00:00Z"),
                    archive("2026-10-20T08:00:00Z"), archive("2026-10-10T08:00:00Z"), archive("2026-09-10T08:00:00Z")))
                    .containsExactly(
                            "keep 20261128T080000Z: newest, last 1, daily 2026-11-28, monthly 2026-11",
                            "keep 20261127T090000Z: daily 2026-11-27",
                            "keep 20261020T080000Z: monthly 2026-10",
                            "prune 20261127T080000Z",
                            "prune 20261010T080000Z",
                            "prune 20260910T080000Z");
        }

        @Test
        void everyReasonIsGivenInRuleOrder() {
            assertThat(decide("monthly = 1, weekly = 1, daily = 1, hourly = 1, within = 1d, last = 1",
                    degraded("2026-11-28T21:44:00Z")))
                    .containsExactly("keep 20261128T214400Z: newest, last 1, within 1d, hourly 2026-11-28 21:00, "
                            + "daily 2026-11-28, weekly 2026-W48, monthly 2026-11, degraded: kept until pruned by id");
        }
    }

    @Nested
    class Calendar {

        @Test
        void periodsAreCountedInTheZoneOfTheClock() {
            ArchiveRef[] archives = {archive("2026-11-28T00:30:00Z"), archive("2026-11-27T23:30:00Z"),
                    archive("2026-11-26T12:00:00Z")};
            assertThat(decide(keep("daily = 2"), FakeClock.at("2026-11-28T12:00:00Z", "UTC"), archives))
                    .containsExactly(
                            "keep 20261128T003000Z: newest, daily 2026-11-28",
                            "keep 20261127T233000Z: daily 2026-11-27",
                            "prune 20261126T120000Z");
            // In New York the first two are both on the evening of the 27th.
            assertThat(decide(keep("daily = 2"), FakeClock.at("2026-11-28T12:00:00Z", "America/New_York"), archives))
                    .containsExactly(
                            "keep 20261128T003000Z: newest, daily 2026-11-27",
                            "keep 20261126T120000Z: daily 2026-11-26",
                            "prune 20261127T233000Z");
        }

        @Test
        void theRepeatedHourAtTheEndOfSummerTimeIsTwoHours() {
            // New York, 2026-11-01: 01:30 EDT is 05:30Z, then the clocks go back and 01:30 EST is 06:30Z.
            assertThat(decide(keep("hourly = 2"), FakeClock.at("2026-11-01T07:00:00Z", "America/New_York"),
                    archive("2026-11-01T06:30:00Z"), archive("2026-11-01T06:10:00Z"),
                    archive("2026-11-01T05:30:00Z"), archive("2026-11-01T04:30:00Z")))
                    .containsExactly(
                            "keep 20261101T063000Z: newest, hourly 2026-11-01 01:00",
                            "keep 20261101T053000Z: hourly 2026-11-01 01:00",
                            "prune 20261101T061000Z",
                            "prune 20261101T043000Z");
        }
    }

    @Nested
    class Safety {

        @Test
        void aDegradedArchiveIsKeptWhateverThePolicy() {
            assertThat(decide("last = 1",
                    archive("2026-11-28T08:00:00Z"), archive("2026-11-27T08:00:00Z"), degraded("2026-11-26T08:00:00Z")))
                    .containsExactly(
                            "keep 20261128T080000Z: newest, last 1",
                            "keep 20261126T080000Z: degraded: kept until pruned by id",
                            "prune 20261127T080000Z");
        }

        @Test
        void aDegradedArchiveCountsForTheRulesLikeAnyOther() {
            assertThat(decide("last = 2",
                    archive("2026-11-28T08:00:00Z"), degraded("2026-11-27T08:00:00Z"), archive("2026-11-26T08:00:00Z")))
                    .containsExactly(
                            "keep 20261128T080000Z: newest, last 2",
                            "keep 20261127T080000Z: last 2, degraded: kept until pruned by id",
                            "prune 20261126T080000Z");
        }

        @Test
        void anArchiveInTheFutureIsKeptAndDisplacesNothing() {
            assertThat(decide("last = 1, daily = 1",
                    archive("2026-11-28T22:45:00Z"), archive("2026-11-28T20:45:00Z"), archive("2026-11-28T10:00:00Z")))
                    .containsExactly(
                            "keep 20261128T224500Z: in the future",
                            // The newest is the newest of the present: the archive just made survives a bad clock.
                            "keep 20261128T204500Z: newest, last 1, daily 2026-11-28",
                            "prune 20261128T100000Z");
        }

        @Test
        void onlyArchivesInTheFutureAreAllKept() {
            assertThat(decide("last = 0", archive("2027-01-01T00:00:00Z"), archive("2026-12-01T00:00:00Z")))
                    .containsExactly("keep 20270101T000000Z: in the future", "keep 20261201T000000Z: in the future");
        }

        @Test
        void aPolicyThatDeclaresNothingPrunesNothing() {
            assertThat(Retention.declaresNothing(NO_POLICY)).isTrue();
            assertThat(decide(NO_POLICY, FakeClock.at(NOW, "UTC"),
                    archive("2026-11-28T08:00:00Z"), degraded("2025-01-01T08:00:00Z"), archive("2020-01-01T08:00:00Z")))
                    .containsExactly(
                            "keep 20261128T080000Z: newest, no retention policy: nothing is pruned",
                            "keep 20250101T080000Z: no retention policy: nothing is pruned, degraded: kept until pruned by id",
                            "keep 20200101T080000Z: no retention policy: nothing is pruned");
        }

        @ParameterizedTest
        @ValueSource(strings = {"last = 0", "within = 1h", "hourly = 0", "daily = 0", "weekly = 0", "monthly = 0"})
        void anyOneWrittenRuleIsAPolicy(String policy) {
            assertThat(Retention.declaresNothing(keep(policy))).isFalse();
        }
    }

    @Nested
    class Shape {

        @Test
        void theDesignsExampleOverTwoMonthsOfDailyBoots() {
            List<ArchiveRef> boots = new ArrayList<>();
            Instant first = Instant.parse("2026-09-29T08:00:00Z");
            for (int day = 0; day < 61; day++) {
                boots.add(archive(first.plus(Duration.ofDays(day)).toString()));
            }
            boots.add(archive("2026-11-28T20:00:00Z"));
            Retention.Decision decision = Retention.decide(boots, keep("last = 3, daily = 7, weekly = 4"),
                    FakeClock.at(NOW, "UTC"));
            assertThat(lines(decision)).startsWith(
                    "keep 20261128T200000Z: newest, last 3, daily 2026-11-28, weekly 2026-W48",
                    "keep 20261128T080000Z: last 3",
                    "keep 20261127T080000Z: last 3, daily 2026-11-27",
                    "keep 20261126T080000Z: daily 2026-11-26",
                    "keep 20261125T080000Z: daily 2026-11-25",
                    "keep 20261124T080000Z: daily 2026-11-24",
                    "keep 20261123T080000Z: daily 2026-11-23",
                    "keep 20261122T080000Z: daily 2026-11-22, weekly 2026-W47",
                    "keep 20261115T080000Z: weekly 2026-W46",
                    "keep 20261108T080000Z: weekly 2026-W45",
                    "prune 20261121T080000Z");
            assertThat(decision.keep()).hasSize(10);
            assertThat(decision.prune()).hasSize(52).last().extracting(ArchiveRef::id).isEqualTo("20260929T080000Z");
        }

        @Test
        void theOrderOfTheInputDoesNotMatter() {
            List<ArchiveRef> archives = new ArrayList<>();
            for (int hour = 0; hour < 48; hour++) {
                archives.add(archive(Instant.parse("2026-11-26T21:00:00Z").plus(Duration.ofHours(hour)).toString()));
            }
            RootConfig.Retention policy = keep("last = 2, hourly = 5, daily = 1");
            Retention.Decision sorted = Retention.decide(archives, policy, FakeClock.at(NOW, "UTC"));
            Collections.shuffle(archives, new Random(7));
            assertThat(Retention.decide(archives, policy, FakeClock.at(NOW, "UTC"))).isEqualTo(sorted);
        }

        @Test
        void archivesMadeAtTheSameInstantAreOrderedByIdDescending() {
            Instant at = Instant.parse("2026-11-28T08:00:00Z");
            assertThat(lines(Retention.decide(List.of(new ArchiveRef("root-a", at, false),
                    new ArchiveRef("root-b", at, false)), keep("last = 0"), FakeClock.at(NOW, "UTC"))))
                    .containsExactly("keep root-b: newest", "prune root-a");
        }

        @Test
        void noArchivesNoDecision() {
            Retention.Decision decision = Retention.decide(List.of(), keep("last = 3"), FakeClock.at(NOW, "UTC"));
            assertThat(decision.keep()).isEmpty();
            assertThat(decision.prune()).isEmpty();
        }

        @Test
        void twoArchivesWithOneIdAreRefused() {
            List<ArchiveRef> archives = List.of(new ArchiveRef("@root-1", Instant.parse("2026-11-28T08:00:00Z"), false),
                    new ArchiveRef("@root-1", Instant.parse("2026-11-27T08:00:00Z"), false));
            assertThatThrownBy(() -> Retention.decide(archives, keep("last = 3"), FakeClock.at(NOW, "UTC")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("@root-1");
        }

        @ParameterizedTest
        @ValueSource(strings = {"last = -1", "hourly = -1", "daily = -1", "weekly = -1", "monthly = -1", "within = -1h"})
        void negativeRulesAreRefused(String policy) {
            assertThatThrownBy(() -> Retention.decide(List.of(archive(NOW)), keep(policy), FakeClock.at(NOW, "UTC")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keep.");
        }

        @Test
        void aKeptArchiveHasAReason() {
            assertThatThrownBy(() -> new Retention.Kept(archive(NOW), List.of()))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void anArchiveHasAName() {
            assertThatThrownBy(() -> new ArchiveRef(" ", Instant.parse(NOW), false))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void aDecisionCannotBeChangedAfterwards() {
            List<ArchiveRef> prune = new ArrayList<>(List.of(archive(NOW)));
            Retention.Decision decision = new Retention.Decision(List.of(), prune);
            prune.clear();
            assertThat(decision.prune()).hasSize(1);
            assertThatThrownBy(() -> decision.prune().clear()).isInstanceOf(UnsupportedOperationException.class);
        }
    }
}
