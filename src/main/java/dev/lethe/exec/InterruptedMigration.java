package dev.lethe.exec;

import dev.lethe.linux.Fs;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a migration that was killed left in a store, so that {@code status} can say it waits and
 * how much it holds: with a journal record the copy is verified and apply finishes the migration;
 * without one it is an unfinished copy that apply discards and redoes (the original is whole).
 */
public record InterruptedMigration(AbsolutePath target, AbsolutePath copy, boolean journaled, long bytes, long files) {

    /** The interrupted migration of {@code entry}, if any. */
    public static Optional<InterruptedMigration> of(Fs fs, Entry entry) throws IOException {
        for (Journal.Record record : Journal.scan(fs, entry.store()).records()) {
            if (record.target().equals(entry.target())) {
                // Until the original is emptied, the copy is in staging or, already placed, in the store.
                AbsolutePath copy = fs.stat(record.staging()).isPresent() ? record.staging() : record.source();
                return Optional.of(measured(fs, entry.target(), copy, true));
            }
        }
        AbsolutePath staging = Journal.letheDirectory(entry.store()).resolve("staging");
        List<String> names = new ArrayList<>(List.of(Journal.key(entry.target())));
        Journal.legacyKey(entry.target()).ifPresent(names::add);
        for (String name : names) {
            if (fs.stat(staging.resolve(name)).isPresent()) {
                return Optional.of(measured(fs, entry.target(), staging.resolve(name), false));
            }
        }
        return Optional.empty();
    }

    private static InterruptedMigration measured(Fs fs, AbsolutePath target, AbsolutePath copy, boolean journaled)
            throws IOException {
        long[] size = Orphans.measure(fs, copy);
        return new InterruptedMigration(target, copy, journaled, size[0], size[1]);
    }
}
