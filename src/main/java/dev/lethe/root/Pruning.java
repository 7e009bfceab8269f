package dev.lethe.root;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.archive.Retention;
import dev.lethe.config.RootConfig;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Prunes archives: by the retention policy, or exactly the ids the user names. The newest
 * archive is never pruned, whatever is asked; degraded archives go only when named by id.
 */
public final class Pruning {
    private Pruning() {}

    /** What a prune would remove (and, by policy, why the rest is kept). */
    public record Outcome(List<ArchiveRef> removed, List<Retention.Kept> kept) {}

    public static Outcome byPolicy(RootStrategy strategy, RootConfig.Retention policy, Clock time, boolean dryRun)
            throws IOException {
        List<ArchiveRef> archives = strategy.archives();
        Retention.Decision decision = Retention.decide(archives, policy, time);
        List<ArchiveRef> prune = new ArrayList<>(decision.prune());
        newest(archives).ifPresent(prune::remove);
        prune.removeIf(ArchiveRef::degraded);
        destroyOldestFirst(strategy, prune, dryRun);
        return new Outcome(prune, decision.keep());
    }

    public static Outcome byId(RootStrategy strategy, List<String> ids, boolean dryRun) throws IOException {
        List<ArchiveRef> archives = strategy.archives();
        Optional<ArchiveRef> newest = newest(archives);
        List<ArchiveRef> prune = new ArrayList<>();
        for (String id : new java.util.LinkedHashSet<>(ids)) {
            ArchiveRef archive = archives.stream().filter(a -> a.id().equals(id)).findFirst()
                    .orElseThrow(() -> new RootException("no archive " + id + "; lethe archive list shows them"));
            if (newest.isPresent() && newest.get().equals(archive)) {
                throw new RootException(id + " is the newest archive; lethe never prunes the newest archive");
            }
            prune.add(archive);
        }
        destroyOldestFirst(strategy, prune, dryRun);
        return new Outcome(prune, List.of());
    }

    private static Optional<ArchiveRef> newest(List<ArchiveRef> archives) {
        return archives.stream().max(Comparator.comparing(ArchiveRef::created));
    }

    private static void destroyOldestFirst(RootStrategy strategy, List<ArchiveRef> prune, boolean dryRun)
            throws IOException {
        prune.sort(Comparator.comparing(ArchiveRef::created));
        if (dryRun) {
            return;
        }
        for (ArchiveRef archive : prune) {
            strategy.destroy(archive);
        }
    }
}
