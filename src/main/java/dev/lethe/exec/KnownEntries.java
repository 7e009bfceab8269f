package dev.lethe.exec;

import dev.lethe.linux.Fs;
import dev.lethe.linux.Stat;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The entries a store has held, kept at {@code <store>/.lethe/entries}: each target path that had
 * data in the store after an apply, NUL-terminated (a path may hold a newline, never a NUL). Once an
 * entry is removed from the config this is the only place that still knows where its data starts,
 * so {@link Orphans} can name {@code /persist/var/lib/app} and not its only subdirectory {@code db}.
 * A path leaves the record when its data leaves the store.
 */
public final class KnownEntries {
    private KnownEntries() {}

    static AbsolutePath file(AbsolutePath store) {
        return Journal.letheDirectory(store).resolve("entries");
    }

    /** The targets recorded for {@code store}, in the order they were first recorded. */
    static Set<AbsolutePath> read(Fs fs, AbsolutePath store) throws IOException {
        Set<AbsolutePath> known = new LinkedHashSet<>();
        AbsolutePath file = file(store);
        if (fs.stat(file).filter(Stat::isRegularFile).isEmpty()) {
            return known;
        }
        for (String path : new String(fs.readFile(file), StandardCharsets.UTF_8).split("\0")) {
            if (!path.isEmpty() && AbsolutePath.problemWith(path) == null) {
                known.add(AbsolutePath.of(path));
            }
        }
        return known;
    }

    /**
     * Adds the entries of each store whose data is in it now and drops recorded paths whose data is
     * gone; writes only when that changes the record. {@code usable} are the stores that pass the
     * check apply makes (a mount point, or on-root): nothing is ever written into any other. An entry
     * in {@code notInPlace} (failed, refused, skipped or waiting in this apply) is not added: a store
     * is left exactly as it was for an entry that stopped. An entry in {@code placedNow} (mounted or
     * linked from its store side by this apply, moments ago) is known to have its data there and is
     * not looked up again: at boot that is every entry, two system calls each.
     */
    public static void record(Fs fs, List<AbsolutePath> usable, List<Entry> entries, Set<AbsolutePath> notInPlace,
                              Set<AbsolutePath> placedNow) throws IOException {
        for (AbsolutePath store : usable) {
            Set<AbsolutePath> before = read(fs, store);
            // The recorded paths, then this apply's entries in place: each looked up once, though
            // most are both (two system calls a path, at every boot).
            Set<AbsolutePath> candidates = new LinkedHashSet<>(before);
            Set<AbsolutePath> placedHere = new HashSet<>();
            for (Entry entry : entries) {
                if (entry.store().equals(store) && !notInPlace.contains(entry.target())) {
                    candidates.add(entry.target());
                    if (placedNow.contains(entry.target())) {
                        placedHere.add(entry.target());
                    }
                }
            }
            Set<AbsolutePath> after = new LinkedHashSet<>();
            for (AbsolutePath target : candidates) {
                if (placedHere.contains(target) || fs.exists(target.under(store))) {
                    after.add(target);
                }
            }
            if (after.equals(before)) {
                continue;
            }
            StringBuilder text = new StringBuilder();
            after.forEach(target -> text.append(target.value()).append('\0'));
            Journal.ensureLetheDirectory(fs, store);
            fs.writeFileAtomically(file(store), text.toString().getBytes(StandardCharsets.UTF_8), 0600);
        }
    }
}
