package dev.lethe.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.diff.packages.BaselineCache;
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

    /** A dpkg database of two packages, with one file modified, one deleted and one added beside them. */
    private void packages() throws Exception {
        Path info = Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.writeString(root.resolve("var/lib/dpkg/status"), """
                Package: app
                Status: install ok installed
                Architecture: all
                Conffiles:
                 /etc/app.conf %s

                Package: lib
                Status: install ok installed
                Architecture: all

                """.formatted(md5("a=0\n")));
        Files.createDirectories(root.resolve("usr/lib/app"));
        Files.writeString(root.resolve("usr/lib/app/same"), "same");
        Files.writeString(root.resolve("usr/lib/app/changed"), "changed by hand");
        Files.writeString(root.resolve("usr/lib/app/new"), "nobody's");
        Files.writeString(info.resolve("app.list"), "/etc\n/etc/app.conf\n/usr\n/usr/lib\n/usr/lib/app\n/usr/lib/app/same\n");
        Files.writeString(info.resolve("app.md5sums"), md5("same") + "  usr/lib/app/same\n");
        Files.writeString(info.resolve("lib.list"), "/usr/lib/app/changed\n/usr/lib/app/gone\n");
        Files.writeString(info.resolve("lib.md5sums"), md5("changed") + "  usr/lib/app/changed\n" + md5("gone") + "  usr/lib/app/gone\n");
    }

    private static String md5(String content) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(content.getBytes()));
    }

    @Test
    void theCachedPackageDatabaseGivesTheSameReport() throws Exception {
        packages();
        Adoption.Result parsed = diff(List.of());
        Adoption.Result cached = diff(List.of(store));
        Adoption.Result hit = diff(List.of(store));
        assertThat(parsed.packages()).isEqualTo(BaselineCache.Outcome.UNCACHED);
        assertThat(cached.packages()).isEqualTo(BaselineCache.Outcome.REBUILT);
        assertThat(hit.packages()).isEqualTo(BaselineCache.Outcome.HIT);
        assertThat(root.resolve("persist/.lethe/" + BaselineCache.FILE_NAME)).isRegularFile();
        assertThat(parsed.walk().changes()).extracting(change -> change.path().value() + " " + change.what())
                .contains("/etc/app.conf config changed", "/usr/lib/app/changed modified", "/usr/lib/app/gone deleted",
                        "/usr/lib/app/new added")
                .doesNotContain("/usr/lib/app/same modified");
        for (Adoption.Result result : List.of(cached, hit)) {
            assertThat(result.walk()).isEqualTo(parsed.walk());
            assertThat(result.baseline().managers()).isEqualTo(parsed.baseline().managers());
            assertThat(result.baseline().size()).isEqualTo(parsed.baseline().size());
        }
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
