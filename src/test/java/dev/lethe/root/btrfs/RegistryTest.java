package dev.lethe.root.btrfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.root.btrfs.Registry.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry file and archive names, without a filesystem of their own. */
class RegistryTest {

    private static final Entry ONE = new Entry("@root.20261128T214500Z", "@root",
            "38a0bbb0-79ce-1d4f-8a79-bcfbd863a80b", 256, Instant.parse("2026-11-28T21:45:00Z"), false);
    private static final Entry TWO = new Entry("@root.20261129T071030Z.degraded", "@root",
            "13242eb0-767b-5943-93f8-6a8e38374da4", 261, Instant.parse("2026-11-29T07:10:30Z"), true);

    @Test
    void entriesSurviveAppendAndRemove(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(Registry.FILE);
        assertThat(Registry.read(file).entries()).isEmpty();
        Registry.append(file, ONE);
        Registry.append(file, TWO);
        assertThat(Files.readString(file)).startsWith("# lethe btrfs archive registry");
        assertThat(Registry.read(file).entries()).containsExactly(ONE, TWO);
        assertThat(Registry.read(file).find(ONE.name(), "@root")).contains(ONE);
        assertThat(Registry.read(file).find(ONE.name(), "@other")).isEmpty();

        Registry.remove(file, ONE);
        assertThat(Registry.read(file).entries()).containsExactly(TWO);
        assertThat(Files.readString(file)).startsWith("# lethe btrfs archive registry");
        assertThat(Files.exists(dir.resolve(Registry.FILE + ".new"))).isFalse();
    }

    @Test
    void aTornLastLineIsIgnoredAndCannotSwallowTheNextOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(Registry.FILE);
        Registry.append(file, ONE);
        String torn = TWO.line().substring(0, TWO.line().length() - 8);  // cut inside "degraded=true"
        Files.writeString(file, Files.readString(file) + torn);
        assertThat(Registry.read(file).entries()).containsExactly(ONE);

        Entry three = new Entry("@root.20261130T000000Z", "@root", "35e40c6c-a87d-9148-8748-b1d336de920b", 262,
                Instant.parse("2026-11-30T00:00:00Z"), false);
        Registry.append(file, three);
        assertThat(Registry.read(file).entries()).containsExactly(ONE, three);
        Registry.remove(file, ONE);
        assertThat(Registry.read(file).lines()).as("a line lethe cannot read is kept, not dropped").contains(torn);
    }

    @Test
    void archiveNamesRoundTrip() {
        ArchiveName name = new ArchiveName("@root", Instant.parse("2026-11-28T21:45:00.750Z"), true);
        assertThat(name.toString()).isEqualTo("@root.20261128T214500Z.degraded");
        assertThat(ArchiveName.parse(name.toString())).contains(name);
        assertThat(ArchiveName.parse("@root.20261128T214500Z")).contains(
                new ArchiveName("@root", Instant.parse("2026-11-28T21:45:00Z"), false));
        assertThat(ArchiveName.parse("@root")).isEmpty();
        assertThat(ArchiveName.parse("@root.20261399T214500Z")).isEmpty();
        assertThat(ArchiveName.parse("@root.20261128T214500Z.old")).isEqualTo(Optional.empty());
    }
}
