package dev.lethe.diff;

import dev.lethe.diff.packages.BaselineCache;
import dev.lethe.diff.packages.PackageBaseline;
import dev.lethe.linux.Fs;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The diff when no blank state exists (strategies "none" and "tmpfs"): everything on the root
 * filesystem that no installed package owns unchanged, minus what the filter leaves out. Package
 * file hashes are cached in the first usable store (see {@link HashCache}), so a second run reads
 * only what changed; so is the parsed dpkg database ({@link BaselineCache}), read again only once a
 * package changed.
 */
public final class Adoption {
    private Adoption() {}

    /** The stores that pass apply's check, in the config's order: decided by the caller, which knows the config. */
    @FunctionalInterface
    public interface UsableStores {
        List<AbsolutePath> of(Fs root) throws IOException;
    }

    /**
     * @param walk     the changes, each with how many paths it stands for, and what could not be read
     * @param baseline the package databases read (and those not read yet)
     * @param cache    the store whose hash cache was used and updated; empty if no store was usable
     * @param packages whether the baseline came from the store's cache, was parsed and cached, or only parsed
     */
    public record Result(RootWalk.Result walk, PackageBaseline baseline, Optional<AbsolutePath> cache,
            BaselineCache.Outcome packages) {}

    /** @param progress told of the walk over the root, the long part of a first run (every name listed) */
    public static Result diff(Syscalls sys, Clock clock, Path root, UsableStores stores, Filter filter, Progress progress)
            throws IOException {
        try (Fs live = Fs.open(sys, root.toString())) {
            // Files changed in the last seconds may change again within the same timestamp tick: not cached.
            Instant trusted = clock.instant().minusSeconds(2);
            long trustedNanos = trusted.getEpochSecond() * 1_000_000_000L + trusted.getNano();
            // Only a usable store gets the cache: diff must never write onto the root in the place
            // of a store whose filesystem is not mounted.
            Optional<AbsolutePath> store = stores.of(live).stream().findFirst();
            // The hash cache loads on another core while this one reads the package database.
            CompletableFuture<HashCache> loading = CompletableFuture.supplyAsync(
                    () -> store.map(path -> HashCache.load(live, path, trustedNanos))
                            .orElseGet(() -> HashCache.empty(trustedNanos)),
                    task -> Thread.ofPlatform().daemon().name("lethe-diff-cache").start(task));
            BaselineCache.Loaded baseline = BaselineCache.load(live, root, store, trustedNanos);
            HashCache cache = loading.join();  // load never throws: a cache it cannot read is empty
            RootWalk.Result walk;
            progress.begin("walking " + root, 0, 0);
            try {
                walk = RootWalk.of(sys, root.toString(), baseline.baseline(), filter, cache, progress);
            } finally {
                progress.end();
            }
            store.ifPresent(path -> cache.save(live, path));
            return new Result(walk, baseline.baseline(), store, baseline.outcome());
        }
    }

    /**
     * The capability probe: true if this process may read every file and directory, that is
     * CAP_DAC_READ_SEARCH (bit 2) is in the effective set of /proc/self/status. Being uid 0 is
     * not enough (a container may drop it).
     */
    public static boolean mayReadEverything() {
        return mayReadEverything(Path.of("/proc/self/status"));
    }

    static boolean mayReadEverything(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16) & (1L << 2)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown: the advice to run as root is the more useful one
        }
        return false;
    }
}
