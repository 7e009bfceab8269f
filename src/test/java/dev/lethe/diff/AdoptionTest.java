package dev.lethe.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.linux.ffm.FfmSyscalls;
import dev.lethe.model.AbsolutePath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adoption-mode diff as one operation, without the command line: the walk, the hash cache, the capability probe. */
class AdoptionTest {

    @TempDir
    Path scratch;

    private Path root;
    private final AbsolutePath store = AbsolutePath.of("/persist");
    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(3600 * 24 * 365 * 5), ZoneOffset.UTC);

    @BeforeEach
    void root() throws Exception {
        root = Files.createDirectories(scratch.resolve("root"));
        Files.createDirectories(root.resolve("persist"));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/app.conf"), "a=1\n");
    }

    private Adoption.Result diff(List<AbsolutePath> usable) throws Exception {
        return Adoption.diff(new FfmSyscalls(), clock, root, live -> usable, Filter.none().leavingOut(List.of(store)),
                dev.lethe.model.Progress.NONE);
    }

    @Test
    void theFirstUsableStoreHoldsTheHashCache() throws Exception {
        Adoption.Result result = diff(List.of(store));
        assertThat(result.cache()).contains(store);
        assertThat(root.resolve("persist/.lethe/" + HashCache.FILE_NAME)).exists();
        assertThat(result.walk().changes()).extracting(change -> change.path().value()).contains("/etc")
                .doesNotContain("/persist");
        assertThat(result.baseline().managers()).as("no package database on this root").isEmpty();
    }

    @Test
    void withoutAUsableStoreNothingIsWrittenAndTheChangesAreTheSame() throws Exception {
        Adoption.Result without = diff(List.of());
        assertThat(without.cache()).isEmpty();
        assertThat(root.resolve("persist/.lethe")).doesNotExist();
        assertThat(without.walk().changes()).isEqualTo(diff(List.of(store)).walk().changes());
    }

    @Test
    void theCapabilityProbeReadsTheEffectiveSet() throws Exception {
        Path status = scratch.resolve("status");
        Files.writeString(status, "Name:\tjava\nCapEff:\t0000000000000004\n");
        assertThat(Adoption.mayReadEverything(status)).isTrue();
        Files.writeString(status, "Name:\tjava\nCapEff:\t00000000a80425fb\n");
        assertThat(Adoption.mayReadEverything(status)).as("CAP_DAC_READ_SEARCH dropped").isFalse();
        assertThat(Adoption.mayReadEverything(scratch.resolve("absent"))).as("unknown").isFalse();
    }
}
