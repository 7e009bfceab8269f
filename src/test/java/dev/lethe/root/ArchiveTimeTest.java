package dev.lethe.root;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.diff.Change;
import dev.lethe.diff.Filter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The time a new archive is named after. */
class ArchiveTimeTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00.750Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** A strategy that only lists archives: the archive time reads nothing else. */
    private static RootStrategy listing(List<ArchiveRef> archives) {
        return new RootStrategy() {
            @Override public String name() { return "listing"; }
            @Override public void check() { }
            @Override public Optional<List<Change>> diff(Path hostRoot, Filter filter) { return Optional.empty(); }
            @Override public List<Change> diffArchive(ArchiveRef archive, Filter filter) { return List.of(); }
            @Override public WipePlan planWipe(WipeRequest request) { return new WipePlan(List.of(), java.util.Optional.empty()); }
            @Override public WipeResult wipe(WipeRequest request) { return null; }
            @Override public List<ArchiveRef> archives() { return archives; }
            @Override public long sizeOf(ArchiveRef archive) { return -1; }
            @Override public <T> T read(ArchiveRef archive, ArchiveReader<T> reader) { return null; }
            @Override public void destroy(ArchiveRef archive) { }
        };
    }

    @Test
    void anArchiveIsNamedAfterTheNewestEvenWhenTheClockIsBehind() throws IOException {
        Instant future = NOW.plus(400, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        Instant archiveTime = ArchiveTime.next(listing(List.of(
                new ArchiveRef("old", Instant.parse("2020-01-01T00:00:00Z"), false),
                new ArchiveRef("ahead", future, false))), CLOCK);
        assertThat(archiveTime).isEqualTo(future.plusSeconds(1));
    }

    @Test
    void anArchiveIsNamedAfterNowToTheSecondWhenTheClockIsRight() throws IOException {
        Instant archiveTime = ArchiveTime.next(listing(List.of(
                new ArchiveRef("old", Instant.parse("2020-01-01T00:00:00Z"), false))), CLOCK);
        assertThat(archiveTime).isEqualTo(Instant.parse("2026-11-28T12:00:00Z"));
    }

    @Test
    void anArchiveMadeThisVerySecondPushesTheNextOneSecondOn() throws IOException {
        Instant archiveTime = ArchiveTime.next(listing(List.of(
                new ArchiveRef("same-second", Instant.parse("2026-11-28T12:00:00Z"), false))), CLOCK);
        assertThat(archiveTime).isEqualTo(Instant.parse("2026-11-28T12:00:01Z"));
    }
}
