package dev.lethe.exec;

import dev.lethe.config.StoreConfig;
import dev.lethe.linux.Fs;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.plan.Action;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What an apply leaves behind for the next commands and the next wipe: which mounts are lethe's
 * (for status and the unmount of removed entries), which entries each store serves (for orphans),
 * and, after a system boot whose activation finished, the activation mark the wipe looks for.
 */
public final class ApplyRecords {
    private ApplyRecords() {}

    /** Whether this apply is the boot's activation: only then is the mark written, and only if nothing failed. */
    public enum Activating { YES, NO }

    /**
     * @param all     every entry of the config (the mounts record names them all)
     * @param applied the entries this apply served (the initrd's apply serves only its stage)
     * @param took    how long the apply has run so far, recorded in the activation mark
     */
    public static void write(Fs fs, List<StoreConfig> stores, List<Entry> all, List<Entry> applied,
                             Executor.Report report, Activating activating, Clock clock, Duration took)
            throws IOException {
        String bootId = LetheMounts.bootId();
        LetheMounts.record(fs, stores.stream().map(StoreConfig::path).toList(), all, bootId);
        Set<AbsolutePath> notInPlace = new HashSet<>();
        Set<AbsolutePath> placedNow = new HashSet<>();
        boolean failed = false;
        for (Executor.Outcome outcome : report.outcomes()) {
            Action action = outcome.action();
            if (outcome.status() != Executor.Status.DONE) {
                notInPlace.add(action.entry());
                failed |= outcome.status() == Executor.Status.FAILED;
            } else if (action instanceof Action.BindMount || action instanceof Action.MakeSymlink) {
                placedNow.add(action.entry());
            }
        }
        KnownEntries.record(fs, Stores.usable(fs, stores), applied, notInPlace, placedNow);
        if (activating == Activating.YES && !failed) {
            Activation.mark(fs, bootId, clock, took);
        }
    }
}
