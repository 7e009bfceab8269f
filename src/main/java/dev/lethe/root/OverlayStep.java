package dev.lethe.root;

import java.util.Objects;
import java.util.Optional;

/**
 * A step of the overlay wipe, which makes the next boot's empty upper directory and points
 * {@code current} at it; the previous boot's directory becomes the archive. {@code upper} is the
 * host path of the configured upper directory (a renderer may put a script variable there),
 * {@code boot} the name of a boot directory under {@code upper/boots} ({@code 20261128T064410Z}).
 * Every step that changes the disk ends with it durable (fsync), so each is a crash point a
 * re-plan resumes from. The file names here are the on-disk protocol of {@code root/overlay/Layout}.
 */
public sealed interface OverlayStep extends WipeStep {

    private static String under(String upper, String... names) {
        return upper + "/" + String.join("/", names);
    }

    /** The current boot directory was never mounted (its upper/ and work/ are empty): the whole plan. */
    record KeepFreshCurrent(String boot, boolean degradedAsked) implements OverlayStep {
        @Override
        public String describe() {
            return "keep boot directory " + boot + " as current: its upper/ and work/ are empty, so no overlay was "
                    + "ever mounted on it and the root is already fresh; nothing to archive"
                    + (degradedAsked ? " or to mark degraded (the previous boot did not use the overlay at all)" : "");
        }
    }

    /**
     * Writes {@code boots/<boot>/DEGRADED} (beside its upper/, so not part of the archived root) and
     * fsyncs it and its directory, before {@code current} moves away: there is no instant at which
     * that root is an archive without its mark. The file's presence is the mark; its text explains.
     */
    record MarkDegraded(String upper, String boot) implements OverlayStep {
        @Override
        public String describe() {
            return "mark boot directory " + boot + " degraded (" + under(upper, "boots", boot, "DEGRADED")
                    + "): its boot did not finish activation, so it is kept until pruned by id";
        }

        /** What the marker file says to whoever opens it. */
        public String text() {
            return "The boot that used this upper directory did not finish activation (a store was missing or a "
                    + "mount failed), so what it wrote may be someone's data.\nlethe keeps this archive until it is "
                    + "pruned by id: lethe archive prune " + boot + "\n";
        }
    }

    /** mkdir {@code boots} with mode 0700 (archives hold copies of whatever old roots held), fsync of upper. */
    record MakeBoots(String upper) implements OverlayStep {
        @Override
        public String describe() {
            return "create " + under(upper, "boots") + ", the directory of boot directories (mode 0700: the "
                    + "archives in it hold what old roots held)";
        }
    }

    /** Says why the new boot directory is not named after the clock: names only grow. Changes nothing. */
    record NameAfterNewest(String boot, String clock) implements OverlayStep {
        @Override
        public String describe() {
            return "name the new boot directory " + boot + ", one second after the newest one, because the clock ("
                    + clock + ") is not past it";
        }
    }

    /**
     * mkdir {@code boots/<boot>} (0700), in it {@code upper/} with the owner and mode of the lower
     * root's top directory (overlayfs shows them as those of "/") and {@code work/} (0700), each
     * fsynced in its parent.
     */
    record MakeBootDirectory(String upper, String boot) implements OverlayStep {
        @Override
        public String describe() {
            return "create boot directory " + boot + " (" + under(upper, "boots", boot) + ") with empty upper/ and work/";
        }
    }

    /**
     * The same as {@link MakeBootDirectory} on the directory an interrupted wipe was making (the
     * newest, not current, upper/ and work/ empty or missing): what is there is kept, the rest made.
     */
    record CompleteBootDirectory(String upper, String boot) implements OverlayStep {
        @Override
        public String describe() {
            return "complete boot directory " + boot + " (" + under(upper, "boots", boot)
                    + "), left empty by an interrupted wipe, with empty upper/ and work/";
        }
    }

    /** unlink of the {@code .current.new} symlink an interrupted switch made but did not rename. */
    record RemoveStaleCurrentNew(String upper) implements OverlayStep {
        @Override
        public String describe() {
            return "remove " + under(upper, ".current.new") + ", the link an interrupted wipe made but did not "
                    + "rename over current";
        }
    }

    /**
     * symlink {@code .current.new -> boots/<boot>}, rename it over {@code current} (so current is always
     * whole), fsync of upper. {@code archived}: the boot directory this makes an archive, if any.
     */
    record SwitchCurrent(String upper, String boot, Optional<String> archived) implements OverlayStep {
        public SwitchCurrent {
            Objects.requireNonNull(archived);
        }

        @Override
        public String describe() {
            String point = "point " + under(upper, "current") + " at boots/" + boot;
            return archived.map(old -> point + ": boot directory " + old + " becomes an archive of what its boot changed")
                    .orElse(point + " (the first boot directory: there is no earlier overlay root to archive)");
        }
    }
}
