package dev.lethe.root;

import java.util.Objects;

/**
 * One step of a wipe, as a value: {@code lethe wipe --dry-run} prints the list a strategy plans,
 * {@code lethe wipe} performs that very list (each step a crash point, re-planned from the disk
 * after a crash), and the initrd renderer ({@code dev.lethe.boot}) writes the same list as POSIX
 * sh. A plan is derived from an observation of the disk, so the situation (fresh, interrupted at a
 * step, degraded) decides which steps are in it, never the executor.
 *
 * <p>Values are strings as the tools and the script use them, so that the initrd renderer can plan
 * with its boot-time variables ({@code ${name}}) in place of values: paths relative to the mounted
 * top level (btrfs), dataset names (zfs), the upper directory's host path and a boot directory's
 * name (overlay).
 */
public sealed interface WipeStep permits WipeStep.NothingToWipe, OverlayStep, ZfsStep, BtrfsStep {

    /** The step as a sentence, for {@code --dry-run} ("would ...") and the report ("done ..."). */
    String describe();

    /**
     * The whole plan of a strategy with nothing to wipe (tmpfs: the power forgets the root; none:
     * adoption mode keeps it): says why, changes nothing.
     */
    record NothingToWipe(String reason) implements WipeStep {
        public NothingToWipe {
            Objects.requireNonNull(reason);
        }

        @Override
        public String describe() {
            return reason;
        }
    }
}
