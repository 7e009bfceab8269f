package dev.lethe.exec;

import dev.lethe.linux.Fs;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.plan.Action;
import dev.lethe.plan.EntryState;
import dev.lethe.plan.Plan;
import dev.lethe.plan.Planner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything {@code status} reports, from one observation of the machine: each entry's state as
 * the plan tells it (or the migration a kill interrupted), the journals that cannot be read, the
 * mounts of removed entries, and the data no entry names.
 */
public record StatusReport(List<EntryStatus> entries, List<LiveObservation.JournalProblem> journalProblems,
                           List<Action.Unmount> leftMounted, List<Orphans.Orphan> orphans,
                           Optional<String> wipeFailure) {

    /** Where the initrd wipe leaves its reason when it failed (common.sh), on the root's /run. */
    public static final AbsolutePath WIPE_FAILED = AbsolutePath.of("/run/lethe/wipe-failed");

    public StatusReport {
        entries = List.copyOf(entries);
        journalProblems = List.copyOf(journalProblems);
        leftMounted = List.copyOf(leftMounted);
        orphans = List.copyOf(orphans);
    }

    /**
     * One entry: its state, the plan's actions for it (what the state stands for), and the
     * interrupted migration when that is what explains it.
     */
    public record EntryStatus(Entry entry, EntryState state, List<Action> actions,
                              Optional<InterruptedMigration> interrupted) {
        public EntryStatus {
            actions = List.copyOf(actions);
        }
    }

    /** True when no path needs anyone: the journals readable, every entry active or pending, the wipe done. */
    public boolean healthy() {
        return journalProblems.isEmpty() && wipeFailure.isEmpty() && entries.stream().allMatch(e -> e.state().healthy());
    }

    public static StatusReport of(Fs fs, List<Entry> entries, List<AbsolutePath> stores, Planner.Scope scope)
            throws IOException {
        LiveObservation observed = new LiveObservation(fs, stores);
        Plan plan = Planner.plan(entries, scope, observed);
        List<EntryStatus> statuses = new ArrayList<>();
        for (Entry entry : entries) {
            EntryState state = EntryState.of(entry.target(), plan);
            // A killed migration explains an entry that is not in place better than the plan's next step.
            Optional<InterruptedMigration> interrupted = state == EntryState.ACTIVE
                    ? Optional.empty() : InterruptedMigration.of(fs, entry);
            statuses.add(new EntryStatus(entry, interrupted.isPresent() ? EntryState.INTERRUPTED : state,
                    EntryState.actionsFor(entry.target(), plan), interrupted));
        }
        List<Action.Unmount> leftMounted = plan.actions().stream()
                .filter(a -> a instanceof Action.Unmount).map(a -> (Action.Unmount) a).toList();
        return new StatusReport(statuses, observed.journalProblems(), leftMounted, Orphans.find(fs, stores, entries),
                wipeFailure(fs));
    }

    /**
     * The reason a failed initrd wipe left: loud here too, besides the kernel log and the failed
     * unit, because nothing else on a booted machine would show that its root was not forgotten.
     */
    static Optional<String> wipeFailure(Fs fs) throws IOException {
        Path mark = Path.of(fs.hostPath(WIPE_FAILED));
        if (!Files.isRegularFile(mark, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        String reason = Files.readString(mark, StandardCharsets.UTF_8).strip();
        return Optional.of(reason.isEmpty() ? "no reason recorded" : reason);
    }
}
