package dev.lethe.archive;

import dev.lethe.config.RootConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * One generated input of {@link Retention#decide}: up to 200 archives over about two years before a
 * fixed now, a policy with counts 0..10 and within 0..30 days, and a zone with or without summer time.
 */
record RetentionCase(List<ArchiveRef> archives, RootConfig.Retention policy, FakeClock time) {

    static final Instant NOW = Instant.parse("2026-11-28T21:45:00Z");

    private static final List<ZoneId> ZONES = Stream.of("UTC", "Europe/Berlin", "America/New_York",
            "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham").map(ZoneId::of).toList();
    private static final long HOUR = 3_600;
    private static final long DAY = 86_400;

    RetentionCase {
        archives = List.copyOf(archives);
    }

    Retention.Decision decide() {
        return Retention.decide(archives, policy, time);
    }

    static RetentionCase generate(RandomGenerator r) {
        RootConfig.Retention policy = r.nextInt(10) == 0 ? Archives.NO_POLICY : policy(r);
        FakeClock time = new FakeClock(NOW, ZONES.get(r.nextInt(ZONES.size())));
        int size = r.nextInt(5) == 0 ? r.nextInt(6) : r.nextInt(201);
        List<ArchiveRef> archives = new ArrayList<>();
        Instant previous = NOW;
        for (int i = 0; i < size; i++) {
            Instant created = switch (r.nextInt(20)) {
                case 0 -> NOW.plusSeconds(r.nextLong(1, 2 * DAY)); // a skewed clock
                case 1 -> policy.within().map(NOW::minus).orElse(NOW); // on a boundary
                case 2, 3 -> previous.plusSeconds(r.nextLong(-HOUR, HOUR + 1)); // several in one period
                case 4, 5, 6, 7, 8, 9 -> NOW.minusSeconds(r.nextLong(0, 3 * DAY)); // recent boots
                default -> NOW.minusSeconds(r.nextLong(0, 730 * DAY));
            };
            previous = created;
            // Ids in generation order, unrelated to time, so the input arrives unsorted.
            archives.add(new ArchiveRef("a" + i, created, r.nextInt(10) == 0));
        }
        return new RetentionCase(archives, policy, time);
    }

    private static RootConfig.Retention policy(RandomGenerator r) {
        return new RootConfig.Retention(count(r), r.nextBoolean() ? Optional.of(within(r)) : Optional.empty(),
                count(r), count(r), count(r), count(r));
    }

    /** 0 to 30 days, with the two ends more often than chance would pick them. */
    private static Duration within(RandomGenerator r) {
        return switch (r.nextInt(10)) {
            case 0 -> Duration.ZERO;
            case 1 -> Duration.ofDays(30);
            default -> Duration.ofHours(r.nextInt(0, 721));
        };
    }

    private static OptionalInt count(RandomGenerator r) {
        return r.nextBoolean() ? OptionalInt.of(r.nextInt(0, 11)) : OptionalInt.empty();
    }

    /** Smaller cases that might still fail: fewer archives, fewer or smaller rules, no degraded flags. */
    Stream<RetentionCase> shrinks() {
        Stream<RetentionCase> halves = archives.size() < 4 ? Stream.empty()
                : Stream.of(archives.subList(0, archives.size() / 2), archives.subList(archives.size() / 2, archives.size()))
                        .map(this::withArchives);
        Stream<RetentionCase> fewer = IntStream.range(0, archives.size()).mapToObj(i -> {
            List<ArchiveRef> rest = new ArrayList<>(archives);
            rest.remove(i);
            return withArchives(rest);
        });
        Stream<RetentionCase> healthy = IntStream.range(0, archives.size()).filter(i -> archives.get(i).degraded())
                .mapToObj(i -> {
                    List<ArchiveRef> changed = new ArrayList<>(archives);
                    ArchiveRef a = changed.get(i);
                    changed.set(i, new ArchiveRef(a.id(), a.created(), false));
                    return withArchives(changed);
                });
        RootConfig.Retention p = policy;
        Stream<RootConfig.Retention> simpler = Stream.of(
                new RootConfig.Retention(OptionalInt.empty(), p.within(), p.hourly(), p.daily(), p.weekly(), p.monthly()),
                new RootConfig.Retention(p.last(), Optional.empty(), p.hourly(), p.daily(), p.weekly(), p.monthly()),
                new RootConfig.Retention(p.last(), p.within(), OptionalInt.empty(), p.daily(), p.weekly(), p.monthly()),
                new RootConfig.Retention(p.last(), p.within(), p.hourly(), OptionalInt.empty(), p.weekly(), p.monthly()),
                new RootConfig.Retention(p.last(), p.within(), p.hourly(), p.daily(), OptionalInt.empty(), p.monthly()),
                new RootConfig.Retention(p.last(), p.within(), p.hourly(), p.daily(), p.weekly(), OptionalInt.empty()),
                new RootConfig.Retention(less(p.last()), p.within(), less(p.hourly()), less(p.daily()), less(p.weekly()),
                        less(p.monthly())))
                .filter(q -> !q.equals(p));
        Stream<RetentionCase> utc = time.getZone().equals(ZoneId.of("UTC")) ? Stream.empty()
                : Stream.of(new RetentionCase(archives, policy, new FakeClock(NOW, ZoneId.of("UTC"))));
        return Stream.of(halves, fewer, simpler.map(q -> new RetentionCase(archives, q, time)), healthy, utc)
                .flatMap(s -> s);
    }

    private static OptionalInt less(OptionalInt count) {
        return count.isPresent() && count.getAsInt() > 0 ? OptionalInt.of(count.getAsInt() - 1) : count;
    }

    private RetentionCase withArchives(List<ArchiveRef> fewer) {
        return new RetentionCase(fewer, policy, time);
    }

    @Override
    public String toString() {
        return "now " + time + ", policy " + policy + ", " + archives.size() + " archives:\n"
                + archives.stream().map(a -> "  " + a.id() + " " + a.created() + " (" + a.created().atZone(time.getZone())
                        .toLocalDateTime() + " local)" + (a.degraded() ? " degraded" : ""))
                        .collect(Collectors.joining("\n"));
    }
}
