package dev.lethe.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.linux.Fs;
import dev.lethe.linux.ffm.FfmSyscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Attributes;
import dev.lethe.model.Entry;
import dev.lethe.model.Kind;
import dev.lethe.model.Method;
import dev.lethe.model.Origin;
import dev.lethe.model.Stage;
import dev.lethe.plan.Entries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record of the entries each store has held: what is in it after an apply, and only that. */
class KnownEntriesTest {

    private static final AbsolutePath FIRST = AbsolutePath.of("/persist");
    private static final AbsolutePath SECOND = AbsolutePath.of("/persist2");
    private static final AbsolutePath LOG = AbsolutePath.of("/var/log");
    private static final AbsolutePath CACHE = AbsolutePath.of("/var/cache");

    private static Entry in(AbsolutePath store, AbsolutePath target) {
        return new Entry(target, store, Kind.DIRECTORY, Method.BIND, Stage.SYSTEM, Attributes.UNDECLARED,
                Entries.ROOT_PARENTS, Optional.empty(), new Origin("lethe.toml", 3));
    }

    private static void recordAs(Path root, AbsolutePath store, String... targets) throws Exception {
        Path file = root.resolve(store.value().substring(1)).resolve(".lethe/entries");
        Files.createDirectories(file.getParent());
        StringBuilder text = new StringBuilder();
        for (String target : targets) {
            text.append(target).append('\0');
        }
        Files.writeString(file, text);
    }

    private static List<String> recorded(Path root, AbsolutePath store) throws Exception {
        Path file = root.resolve(store.value().substring(1)).resolve(".lethe/entries");
        return Files.exists(file)
                ? List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\0"))
                : List.of();
    }

    @Test
    void anEntryPlacedNowIsRecordedAndARecordedPathWhoseDataIsGoneIsDropped(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("persist/var/log"));
        recordAs(root, FIRST, "/var/cache");  // its data left the store since
        try (Fs fs = Fs.open(new FfmSyscalls(), root.toString())) {
            KnownEntries.record(fs, List.of(FIRST), List.of(in(FIRST, LOG), in(FIRST, CACHE)), Set.of(CACHE), Set.of(LOG));
        }
        assertThat(recorded(root, FIRST)).containsExactly("/var/log");
    }

    @Test
    void anEntryNotPlacedNowIsRecordedOnlyWhenItsDataIsInTheStore(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("persist/var/log"));
        Files.createDirectories(root.resolve("persist/var"));
        try (Fs fs = Fs.open(new FfmSyscalls(), root.toString())) {
            KnownEntries.record(fs, List.of(FIRST), List.of(in(FIRST, LOG), in(FIRST, CACHE)), Set.of(), Set.of());
        }
        assertThat(recorded(root, FIRST)).containsExactly("/var/log");
    }

    /**
     * /var/log moved from the first store to the second and was mounted from the second now: that
     * says nothing of the first store, whose record drops it once its data there is gone.
     */
    @Test
    void beingPlacedFromOneStoreKeepsNothingInAnotherStoresRecord(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("persist"));
        Files.createDirectories(root.resolve("persist2/var/log"));
        recordAs(root, FIRST, "/var/log");
        try (Fs fs = Fs.open(new FfmSyscalls(), root.toString())) {
            KnownEntries.record(fs, List.of(FIRST, SECOND), List.of(in(SECOND, LOG)), Set.of(), Set.of(LOG));
        }
        assertThat(recorded(root, FIRST)).containsExactly("");
        assertThat(recorded(root, SECOND)).containsExactly("/var/log");
    }
}
