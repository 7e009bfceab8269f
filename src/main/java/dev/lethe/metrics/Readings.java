package dev.lethe.metrics;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.exec.Activation;
import dev.lethe.exec.Orphans;
import dev.lethe.exec.StatusReport;
import dev.lethe.model.AbsolutePath;
import dev.lethe.plan.EntryState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code lethe metrics} exposes, as plain values gathered from what status, orphans and
 * archive list already compute, so that rendering is a separate step.
 *
 * @param paths        how many paths status shows in each state, every state present (0 if none)
 * @param orphans      each store's orphaned data, every store present (0 if none)
 * @param archives     the strategy's archives; empty when the strategy keeps none
 * @param degradedBoot this boot's activation did not finish: the root carries no mark of this boot
 * @param wipeFailed   this boot's initrd wipe failed (status's wipe-failed line)
 * @param activation   the mark of the last activation that finished on this root, if any
 */
public record Readings(Map<EntryState, Long> paths, List<StoreOrphans> orphans, Optional<Archives> archives,
                       boolean degradedBoot, boolean wipeFailed, Optional<Activation.Mark> activation,
                       String version, Instant collected) {

    public Readings {
        paths = Map.copyOf(paths);
        orphans = List.copyOf(orphans);
    }

    /** One store's orphans: their number and the bytes they hold. */
    public record StoreOrphans(AbsolutePath store, long count, long bytes) {}

    /** The archives: how many, how many are degraded, and when the newest was made (the last wipe). */
    public record Archives(long count, long degraded, Optional<Instant> newest) {
        static Archives of(List<ArchiveRef> archives) {
            return new Archives(archives.size(), archives.stream().filter(ArchiveRef::degraded).count(),
                    archives.stream().map(ArchiveRef::created).max(Comparator.naturalOrder()));
        }
    }

    /**
     * @param archives the strategy's archives, or empty when it keeps none
     * @param bootId   this boot's id: a mark of another boot means this one's activation did not finish
     */
    public static Readings of(StatusReport report, List<AbsolutePath> stores, Optional<List<ArchiveRef>> archives,
                              Optional<Activation.Mark> activation, String bootId, String version, Instant now) {
        Map<EntryState, Long> paths = new EnumMap<>(EntryState.class);
        for (EntryState state : EntryState.values()) {
            paths.put(state, 0L);
        }
        // Counted as status prints them: a line per entry, per unreadable journal, per orphan.
        report.entries().forEach(e -> paths.merge(e.state(), 1L, Long::sum));
        paths.merge(EntryState.UNREADABLE, (long) report.journalProblems().size(), Long::sum);
        paths.merge(EntryState.ORPHANED, (long) (report.leftMounted().size() + report.orphans().size()), Long::sum);
        paths.merge(EntryState.WIPE_FAILED, report.wipeFailure().isPresent() ? 1L : 0L, Long::sum);
        List<StoreOrphans> orphans = new ArrayList<>();
        for (AbsolutePath store : stores) {
            List<Orphans.Orphan> mine = report.orphans().stream().filter(o -> o.store().equals(store)).toList();
            orphans.add(new StoreOrphans(store, mine.size(), mine.stream().mapToLong(Orphans.Orphan::bytes).sum()));
        }
        boolean degradedBoot = activation.map(mark -> !mark.bootId().equals(bootId)).orElse(true);
        return new Readings(paths, orphans, archives.map(Archives::of), degradedBoot,
                report.wipeFailure().isPresent(), activation, version, now);
    }
}
