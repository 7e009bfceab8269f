package dev.lethe.exec;

import dev.lethe.linux.FileComparison;
import dev.lethe.linux.Fs;
import dev.lethe.linux.Stat;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.model.Kind;
import dev.lethe.model.Progress;
import dev.lethe.plan.Action;
import dev.lethe.plan.Plan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs a plan's actions in order through {@link Fs}. A failed action stops the remaining actions of
 * its entry only; the other entries go on. Each action checks its precondition again just before
 * acting, because the machine may have changed since it was observed. A bug (a RuntimeException) is
 * not an entry's failure: it stops the run and reaches the user as an internal error.
 */
public final class Executor {

    private final Fs fs;
    private final Migration migration;
    private final Map<AbsolutePath, AbsolutePath> storeOfEntry = new HashMap<>();

    /** @param progress told how far each migration's copy and verification have come */
    public Executor(Fs fs, List<Entry> entries, Progress progress) {
        this.fs = fs;
        this.migration = new Migration(fs, progress);
        entries.forEach(e -> storeOfEntry.put(e.target(), e.store()));
    }

    /** What happened to one action. */
    public record Outcome(Action action, Status status, Optional<String> error) {}

    public enum Status { DONE, FAILED, SKIPPED, WAITING }

    /** All outcomes, in plan order. */
    public record Report(List<Outcome> outcomes) {
        /** The failed outcomes, in plan order. A loop, not a stream: at boot it runs over every action. */
        public List<Outcome> failures() {
            List<Outcome> failed = new ArrayList<>();
            for (Outcome outcome : outcomes) {
                if (outcome.status() == Status.FAILED) {
                    failed.add(outcome);
                }
            }
            return failed;
        }

        /** The figures of the summary line, counted in one pass. */
        public Tally tally() {
            int changes = 0;
            int waiting = 0;
            Set<AbsolutePath> failedEntries = new HashSet<>();
            for (Outcome outcome : outcomes) {
                switch (outcome.status()) {
                    case DONE -> changes += outcome.action().changes() ? 1 : 0;
                    case WAITING -> waiting++;
                    case FAILED -> failedEntries.add(outcome.action().entry());
                    case SKIPPED -> { }
                }
            }
            return new Tally(changes, waiting, failedEntries.size());
        }
    }

    /**
     * @param changes       actions done that changed something
     * @param waiting       files waiting for a program to create them
     * @param failedEntries entries with a failed action (an entry counts once, however many failed)
     */
    public record Tally(int changes, int waiting, int failedEntries) {}

    public Report execute(Plan plan) {
        return execute(plan, outcome -> { });
    }

    /**
     * Runs {@code plan}, telling {@code progress} each outcome as soon as it is known: a long
     * migration then shows what is already done, and a killed apply has said it.
     */
    public Report execute(Plan plan, Consumer<Outcome> progress) {
        List<Outcome> outcomes = new ArrayList<>();
        Set<AbsolutePath> failedEntries = new HashSet<>();
        for (Action action : plan.actions()) {
            Outcome outcome;
            if (failedEntries.contains(action.entry())) {
                outcome = new Outcome(action, Status.SKIPPED, Optional.empty());
            } else {
                try {
                    outcome = new Outcome(action, run(action), Optional.empty());
                } catch (IOException e) {
                    // Only what the machine did fails an entry; a RuntimeException is a bug and goes up (exit 70).
                    failedEntries.add(action.entry());
                    String message = e.getMessage() == null ? e.toString() : e.getMessage();
                    outcome = new Outcome(action, Status.FAILED, Optional.of(message));
                }
            }
            outcomes.add(outcome);
            progress.accept(outcome);
        }
        return new Report(outcomes);
    }

    private Status run(Action action) throws IOException {
        return action.runOn(steps);
    }

    private final Action.Steps<Status> steps = new Action.Steps<>() {
        @Override
        public Status makeDirectory(Action.MakeDirectory make) throws IOException {
            fs.makeDirectory(make.path(), make.ownership().uid(), make.ownership().gid(), make.ownership().mode());
            return Status.DONE;
        }

        @Override
        public Status makeFile(Action.MakeFile make) throws IOException {
            if (fs.stat(make.path()).isEmpty()) {
                fs.makeEmptyFile(make.path(), make.ownership().uid(), make.ownership().gid(), make.ownership().mode());
            }
            return Status.DONE;
        }

        @Override
        public Status setOwnership(Action.SetOwnership set) throws IOException {
            fs.setOwnerAndMode(set.path(), set.to().uid(), set.to().gid(), set.to().mode());
            return Status.DONE;
        }

        @Override
        public Status migrate(Action.Migrate migrate) throws IOException {
            requireEmptyOrAbsent(migrate.to(), migrate.from());
            migration.migrate(storeOf(migrate.entry()), migrate.from(), migrate.to(), migrate.kind());
            return Status.DONE;
        }

        @Override
        public Status resumeMigration(Action.ResumeMigration resume) throws IOException {
            migration.resume(Journal.find(fs, storeOf(resume.entry()), resume.from()));
            return Status.DONE;
        }

        @Override
        public Status bindMount(Action.BindMount bind) throws IOException {
            if (bind.kind() == Kind.FILE) {
                requireNothingHidden(bind.target(), bind.source());
            }
            fs.bindMount(bind.source(), bind.target());
            return Status.DONE;
        }

        @Override
        public Status removeEmpty(Action.RemoveEmpty remove) throws IOException {
            requireNothingHidden(remove.path(), null);
            fs.removeEmpty(remove.path(), remove.kind() == Kind.DIRECTORY ? Fs.Kind.DIRECTORY : Fs.Kind.NON_DIRECTORY);
            return Status.DONE;
        }

        @Override
        public Status makeSymlink(Action.MakeSymlink link) throws IOException {
            fs.symlink(link.link(), link.pointsTo().value());
            return Status.DONE;
        }

        @Override
        public Status unmount(Action.Unmount unmount) throws IOException {
            fs.unmount(unmount.target());
            return Status.DONE;
        }

        @Override
        public Status awaitCreation(Action.AwaitCreation await) {
            return Status.WAITING;
        }

        @Override
        public Status refuse(Action.Refuse refuse) throws IOException {
            throw new IOException(refuse.reason());
        }
    };

    private AbsolutePath storeOf(AbsolutePath entry) {
        AbsolutePath store = storeOfEntry.get(entry);
        if (store == null) {
            throw new IllegalStateException("no store known for entry " + entry);
        }
        return store;
    }

    /**
     * The last check before a mount: a target holding data is never hidden (safety invariant 2),
     * whatever the plan said. A file identical to the store's copy hides nothing.
     */
    private void requireNothingHidden(AbsolutePath target, AbsolutePath source) throws IOException {
        Optional<Stat> stat = fs.stat(target);
        if (stat.isEmpty()) {
            return;
        }
        boolean holdsData = stat.get().isDirectory() ? !fs.isEmptyDirectory(target)
                : !stat.get().isRegularFile() || stat.get().size() > 0;
        if (holdsData && !(source != null && stat.get().isRegularFile() && FileComparison.sameFiles(fs, target, source))) {
            throw new IOException(fs.hostPath(target) + " holds data now; lethe will not hide it under a mount. "
                    + "Apply again to migrate it.");
        }
    }

    /** The store side must still be empty or absent when a migration starts (invariant 1). */
    private void requireEmptyOrAbsent(AbsolutePath source, AbsolutePath target) throws IOException {
        Optional<Stat> stat = fs.stat(source);
        if (stat.isEmpty()) {
            return;
        }
        boolean empty = stat.get().isDirectory() ? fs.isEmptyDirectory(source)
                : stat.get().isRegularFile() && stat.get().size() == 0;
        if (!empty) {
            throw new IOException("both " + fs.hostPath(target) + " and " + fs.hostPath(source)
                    + " hold data; lethe will neither hide nor overwrite either");
        }
    }
}
