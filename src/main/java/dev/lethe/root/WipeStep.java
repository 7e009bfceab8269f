package dev.lethe.root;

import java.util.Objects;

/**
 * One step of a wipe, as a value: {@code lethe wipe --dry-run} prints the list a strategy plans,
 * {@code lethe wipe} performs that very list (each step a crash point, re-planned from the disk
 * after a crash), and the initrd renderer ({@code dev.lethe.boot}) writes the same list as POSIX
 * sh. A plan is derived from an observation of the disk, so the situation (fresh, interrupted at a
 * step, degraded) decides which steps are in it, never the executor.
 *
 * <p>Paths and names are strings as the tools and the script use them: relative to the mounted top
 * level (btrfs), dataset names (zfs), or relative to the overlay's upper directory (overlay).
 */
public sealed interface WipeStep {

    /** The step as a sentence, for {@code --dry-run} ("would ...") and the report ("done ..."). */
    String describe();

    /**
     * Interim: a step still described only by its sentence, performed by the strategy's own code.
     * Each strategy replaces these with the typed steps below; none remains once the wipe is data.
     */
    record Said(String text) implements WipeStep {
        public Said {
            Objects.requireNonNull(text);
        }

        @Override
        public String describe() {
            return text;
        }
    }
}
