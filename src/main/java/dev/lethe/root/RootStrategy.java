package dev.lethe.root;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.diff.Change;
import dev.lethe.diff.Filter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * How the root forgets: btrfs, zfs, overlay, tmpfs or none. A strategy archives the current root
 * before it makes a fresh one, lists and opens its archives, and destroys an archive only after
 * proving it is one of its own. Every operation is safe to re-run after a crash at any point:
 * afterwards there is a usable root and no archive is lost.
 */
public interface RootStrategy {

    /** The strategy's name as the config writes it ("btrfs"). */
    String name();

    /**
     * The host directory that holds what the current boot wrote to its root, where that boot's
     * activation mark is: the root itself, except for overlay (its current upper directory); empty
     * before the first boot.
     */
    default Optional<Path> writtenRoot(Path hostRoot) throws IOException {
        return Optional.of(hostRoot);
    }

    /**
     * What the current boot changed on the root at host path {@code hostRoot} against the blank
     * state, minus what {@code filter} leaves out, sorted by path; empty for the strategies without a
     * blank state (tmpfs, none), where the adoption-mode diff against the package database applies.
     */
    Optional<List<Change>> diff(Path hostRoot, Filter filter) throws IOException;

    /** What the boot an archive holds changed against the blank state, minus what {@code filter} leaves out. */
    List<Change> diffArchive(ArchiveRef archive, Filter filter) throws IOException;

    /** False for the strategies with nothing to wipe (tmpfs, none). */
    default boolean wipes() {
        return true;
    }

    /**
     * True if a wipe now would keep the current root as an archive: false for the strategies with
     * nothing to wipe, and for an overlay whose current upper was never used (nothing to archive).
     */
    default boolean archivesOnWipe() throws IOException {
        return wipes();
    }

    /**
     * Checks the configuration against the machine (device present, subvolume is a subvolume, blank
     * read-only, the root is not a store, ...) and throws {@link RootException} naming what is wrong.
     * Changes nothing.
     */
    void check() throws IOException;

    /** The steps {@link #wipe} would take now, in order, from what the disk holds; changes nothing. */
    WipePlan planWipe(WipeRequest request) throws IOException;

    /**
     * Archives the current root under {@code request.now()} (marked degraded if asked) and makes a
     * fresh root from the blank state. Finishes an interrupted earlier wipe instead of starting a
     * second one.
     */
    WipeResult wipe(WipeRequest request) throws IOException;

    /** Every archive of this strategy, newest first. */
    List<ArchiveRef> archives() throws IOException;

    /** The archive's size in bytes where the strategy knows it cheaply, else -1. */
    long sizeOf(ArchiveRef archive) throws IOException;

    /**
     * Makes the archive's files readable (mounting it read-only if needed), runs {@code reader} on
     * the directory that holds them, and undoes whatever it mounted.
     */
    <T> T read(ArchiveRef archive, ArchiveReader<T> reader) throws IOException;

    /** Destroys one archive after proving it is this strategy's own; never anything else. */
    void destroy(ArchiveRef archive) throws IOException;

    /** Reads an opened archive. */
    @FunctionalInterface
    interface ArchiveReader<T> {
        T read(Path files) throws IOException;
    }

    /**
     * @param now      the time the archive is named after
     * @param degraded the previous boot did not finish activation: the archive is kept until pruned by id
     */
    record WipeRequest(Instant now, boolean degraded) {}

    /** What a wipe did: the archive it made (or found made by an interrupted wipe), and the steps it took. */
    record WipeResult(ArchiveRef archive, List<WipeStep> steps) {
        public WipeResult {
            steps = List.copyOf(steps);
        }

        /** The steps taken, as sentences. */
        public List<String> sentences() {
            return steps.stream().map(WipeStep::describe).toList();
        }
    }
}
