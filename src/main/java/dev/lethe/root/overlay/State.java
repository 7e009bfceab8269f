package dev.lethe.root.overlay;

import dev.lethe.archive.ArchiveRef;
import java.util.List;
import java.util.Optional;

/**
 * What is under the upper directory now, as {@link Layout#readState} observed it: the input of the
 * wipe planner and of the archive listing. A plain value, so a table test can write any situation.
 *
 * @param bootsMade  {@code boots/} exists
 * @param boots      every boot directory, oldest first
 * @param current    the one {@code current} points at
 * @param currentNew what is at {@code .current.new}, where a wipe makes the link it renames over current
 */
record State(boolean bootsMade, List<Boot> boots, Optional<BootName> current, Leftover currentNew) {

    State {
        boots = List.copyOf(boots);
    }

    /** What one of a boot directory's two subdirectories holds. */
    enum Part {
        MISSING, EMPTY,
        /** Entries, or something that is not a directory: never taken for an empty directory. */
        USED
    }

    /** What is at {@code .current.new}. */
    enum Leftover {
        NOTHING,
        /** The symlink a wipe made and was killed before renaming it over current. */
        LINK,
        /** Something lethe never makes there. */
        FOREIGN
    }

    /**
     * One boot directory.
     *
     * @param degraded it has the DEGRADED marker
     */
    record Boot(BootName name, Part upper, Part work, boolean degraded) {

        /** Its upper/ and work/ are empty or missing: no overlay was ever mounted on it (a mount makes work/work). */
        boolean fresh() {
            return upper != Part.USED && work != Part.USED;
        }
    }

    Optional<Boot> boot(String id) {
        return boots.stream().filter(b -> b.name().id().equals(id)).findFirst();
    }

    Optional<Boot> currentBoot() {
        return current.flatMap(c -> boot(c.id()));
    }

    Optional<BootName> newest() {
        return boots.isEmpty() ? Optional.empty() : Optional.of(boots.getLast().name());
    }

    /**
     * The directory an interrupted wipe was making: the newest of all (a wipe only makes names past every
     * other), not current, and fresh.
     */
    Optional<Boot> pending() {
        if (boots.isEmpty()) {
            return Optional.empty();
        }
        Boot newest = boots.getLast();
        boolean isCurrent = current.isPresent() && current.get().equals(newest.name());
        return newest.fresh() && !isCurrent ? Optional.of(newest) : Optional.empty();
    }

    /** Every boot directory but current and pending, newest first. */
    List<ArchiveRef> archives() {
        Optional<Boot> pending = pending();
        return boots.reversed().stream()
                .filter(b -> current.isEmpty() || !current.get().equals(b.name()))
                .filter(b -> pending.isEmpty() || !pending.get().equals(b))
                .map(b -> new ArchiveRef(b.name().id(), b.name().created(), b.degraded()))
                .toList();
    }
}
