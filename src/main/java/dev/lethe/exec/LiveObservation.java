package dev.lethe.exec;

import dev.lethe.linux.Flags;
import dev.lethe.linux.FileComparison;
import dev.lethe.linux.Fs;
import dev.lethe.linux.MountInfo;
import dev.lethe.linux.Stat;
import dev.lethe.model.AbsolutePath;
import dev.lethe.plan.Observation;
import dev.lethe.plan.PathState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The real machine as the planner sees it: statx through {@link Fs} and the mount table. */
public final class LiveObservation implements Observation {

    private final Fs fs;
    private final List<AbsolutePath> stores;
    private final MountInfo mountInfo;
    private final String bootId = LetheMounts.bootId();
    private final Map<AbsolutePath, PathState> cache = new HashMap<>();

    /** Observes {@code stores} and the paths the planner asks about, with the mount table as it is now. */
    public LiveObservation(Fs fs, List<AbsolutePath> stores) throws IOException {
        this.fs = fs;
        this.stores = List.copyOf(stores);
        this.mountInfo = MountInfo.read();
    }

    @Override
    public PathState state(AbsolutePath path) {
        return cache.computeIfAbsent(path, this::observe);
    }

    private PathState observe(AbsolutePath path) {
        try {
            var found = fs.inspect(path);
            if (found.isEmpty()) {
                return PathState.ABSENT;
            }
            Stat stat = found.get().stat();
            PathState.Facts facts = new PathState.Facts(stat.uid(), stat.gid(), stat.permissions(),
                    stat.device(), stat.inode(), stat.mountRoot());
            if (stat.isDirectory()) {
                return new PathState.Directory(facts, found.get().empty());
            }
            if (stat.isRegularFile()) {
                return new PathState.RegularFile(facts, stat.size());
            }
            if (stat.isSymlink()) {
                return new PathState.Symlink(fs.readLink(path));
            }
            return new PathState.Other(stat.typeWord());
        } catch (IOException e) {
            return new PathState.Unreachable(e.getMessage());
        }
    }

    @Override
    public boolean sameContent(AbsolutePath a, AbsolutePath b) {
        return FileComparison.sameFiles(fs, a, b);
    }

    @Override
    public List<LetheMount> letheMounts() {
        List<LetheMount> found = new ArrayList<>();
        for (AbsolutePath store : stores) {
            try {
                for (LetheMounts.Recorded recorded : LetheMounts.read(fs, store, mountInfo, bootId)) {
                    found.add(recorded.mount());
                }
            } catch (IOException e) {
                // An unreadable record only means lethe unmounts nothing of that store.
            }
        }
        return found;
    }

    @Override
    public Map<AbsolutePath, AbsolutePath> interruptedMigrations() {
        Map<AbsolutePath, AbsolutePath> targets = new HashMap<>();
        for (AbsolutePath store : stores) {
            try {
                for (Journal.Record record : Journal.scan(fs, store).records()) {
                    targets.put(record.target(), store);
                }
            } catch (IOException e) {
                // The journal directory itself cannot be listed: journalProblems() says so, and
                // those entries fail loudly on their own state.
            }
        }
        return targets;
    }

    /** A file in a store's journal that lethe cannot read (or the journal itself), and why. */
    public record JournalProblem(AbsolutePath file, String message) {}

    /**
     * What in the stores' journals lethe cannot read, one problem per record file, naming it: such
     * a migration is not resumed, so a person must look at it. The other records are resumed all
     * the same.
     */
    public List<JournalProblem> journalProblems() {
        List<JournalProblem> problems = new ArrayList<>();
        for (AbsolutePath store : stores) {
            try {
                for (Journal.Unreadable bad : Journal.scan(fs, store).unreadable()) {
                    problems.add(new JournalProblem(bad.file(), fs.hostPath(bad.file())
                            + " is not a migration record lethe can read (" + bad.reason()
                            + "); the migration it describes is not resumed. Check that its copy in the store is "
                            + "complete, then move the record aside."));
                }
            } catch (IOException e) {
                problems.add(new JournalProblem(Journal.directory(store), "the migration journal "
                        + fs.hostPath(Journal.directory(store)) + " cannot be read: " + e.getMessage()));
            }
        }
        return problems;
    }

    @Override
    public String show(AbsolutePath path) {
        return fs.hostPath(path);
    }
}
