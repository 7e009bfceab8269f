package dev.lethe.root;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
public sealed interface WipeStep {

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

    // ---- overlay (root/overlay) ------------------------------------------------------------------

    /**
     * A step of the overlay wipe, which makes the next boot's empty upper directory and points
     * {@code current} at it; the previous boot's directory becomes the archive. {@code upper} is the
     * host path of the configured upper directory (a renderer may put a script variable there),
     * {@code boot} the name of a boot directory under {@code upper/boots} ({@code 20261128T064410Z}).
     * Every step that changes the disk ends with it durable (fsync), so each is a crash point a
     * re-plan resumes from. The file names here are the on-disk protocol of {@code root/overlay/Layout}.
     */
    sealed interface OverlayStep extends WipeStep {

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

    // ---------------------------------------------------------------------------------------------
    // zfs (root.zfs): datasets by name; root.zfs.ZfsCommands says which zfs commands perform each
    // step, for the Java wipe and the initrd script alike. Marks: lethe:archive, lethe:of,
    // lethe:created, lethe:degraded, lethe:state, lethe:guid (docs/strategies.md).

    /** A step of the zfs wipe. */
    sealed interface ZfsStep extends WipeStep {

        /** A clone of the blank that a killed {@code lethe diff} left behind: proven, destroyed first. */
        record DestroyLeftover(String dataset, String blankSnapshot, String madeBy) implements ZfsStep {
            @Override
            public String describe() {
                return "destroy " + dataset + ", a clone of " + blankSnapshot + " that a lethe diff (" + madeBy
                        + ", no longer running) left behind";
            }
        }

        /** A mounted dataset of the root: zfs-fuse, like older ZFS, refuses to rename it. */
        record Unmount(String dataset) implements ZfsStep {
            @Override
            public String describe() {
                return "unmount " + dataset + " (a mounted dataset cannot be renamed)";
            }
        }

        /** POOL/lethe-archives, made once, never mounted itself. */
        record CreateArchives(String dataset) implements ZfsStep {
            @Override
            public String describe() {
                return "create " + dataset + " to hold the archives (canmount=off, mountpoint=none: never mounted itself)";
            }
        }

        /** The root, with its child datasets and snapshots, becomes the archive: constant time. */
        record Rename(String root, String archive) implements ZfsStep {
            @Override
            public String describe() {
                return "rename " + root + " to " + archive + ": the old root, with its child datasets and snapshots, "
                        + "is the archive";
            }
        }

        /** A note: an earlier wipe was cut short after its rename, and this one finishes it. */
        record Resume(String root, String archive) implements ZfsStep {
            @Override
            public String describe() {
                return "finish the wipe that was cut short after it archived " + root + " as " + archive
                        + " (the root is not archived a second time)";
            }
        }

        /** One user property on one dataset. */
        record Property(String dataset, String property, String value) {}

        /** lethe's marks on the archive and its guid on each of its datasets: only those not set yet. */
        record Mark(String archive, String root, List<Property> marks) implements ZfsStep {
            public Mark {
                marks = List.copyOf(marks);
            }

            @Override
            public String describe() {
                return "mark " + archive + " as lethe's archive of " + root + " (lethe:archive, lethe:of, lethe:created, "
                        + "lethe:degraded, lethe:state=pending, lethe:guid)";
            }
        }

        /**
         * A dataset made anew as a clone of the archived dataset's blank snapshot, given that dataset's
         * own properties ({@code property=value}; a clone does not copy them), then promoted.
         */
        record Clone(String archived, String target, String blank, List<String> properties) implements ZfsStep {
            public Clone {
                properties = List.copyOf(properties);
            }

            @Override
            public String describe() {
                return "make " + target + " anew as a clone of " + archived + "@" + blank + ", with the old dataset's "
                        + "own properties, and promote it: " + target + "@" + blank + " is its own again and "
                        + archived + " a clone of it";
            }
        }

        /** A dataset cloned by a wipe cut short before its promote. */
        record Promote(String target, String blank, String archived) implements ZfsStep {
            @Override
            public String describe() {
                return "promote " + target + ": " + target + "@" + blank + " is its own again and " + archived
                        + " a clone of it";
            }
        }

        /** A note: a dataset of the archive that is not made anew (no blank of its own, or no parent). */
        record KeepInArchive(String dataset, String why) implements ZfsStep {
            @Override
            public String describe() {
                return "keep " + dataset + " only in the archive: " + why;
            }
        }

        /** The archive never mounted by itself nor written to; after the clones, which need the old properties. */
        record Harden(String archive, List<String> datasets) implements ZfsStep {
            public Harden {
                datasets = List.copyOf(datasets);
            }

            @Override
            public String describe() {
                return "keep " + archive + " from being mounted by itself or written to: mountpoint none "
                        + "(inherited from lethe-archives), canmount=noauto, readonly=on";
            }
        }

        /** The last step: the archive is whole, and only now may it be destroyed. */
        record Finish(String archive) implements ZfsStep {
            @Override
            public String describe() {
                return "mark " + archive + " finished (lethe:state=done)";
            }
        }
    }

    // ---- btrfs (root/btrfs): paths relative to the mounted top level (subvolume ID 5) ----

    /**
     * A step of the btrfs wipe. Values are strings as the script writes them, so that the initrd
     * renderer can plan with its boot-time variables ("${name}") in place of values.
     */
    sealed interface BtrfsStep extends WipeStep {

        /** The old root is still in use as a fresh snapshot of the blank: the whole plan, nothing to do. */
        record AlreadyFresh(String subvolume, String blank) implements BtrfsStep {
            @Override
            public String describe() {
                return "/" + subvolume + " is an untouched snapshot of /" + blank
                        + " (nothing has written to it since it was made): nothing to archive or recreate";
            }
        }

        /** What an interrupted wipe left (the root renamed, recorded or not); says, changes nothing. */
        record FoundArchived(String subvolume, String archive, boolean recorded) implements BtrfsStep {
            @Override
            public String describe() {
                return recorded ? "/" + subvolume + " is missing: an interrupted wipe already kept it as archive " + archive
                        : "/" + subvolume + " is missing: an interrupted wipe kept it as " + archive + " but left no record of it";
            }
        }

        /** mkdir of the archives' directory; mode 0700, since an archive holds an old root's secrets. */
        record MakeArchives(String device, String directory, int mode) implements BtrfsStep {
            @Override
            public String describe() {
                return "create the directory " + directory + " on the top level of " + device;
            }
        }

        /** Drops the registry's record of a rename that never happened (the root still has the UUID). */
        record ForgetRecord(String registry, String archive, String name, String subvolume, String uuid)
                implements BtrfsStep {
            @Override
            public String describe() {
                return "forget the record of " + archive + ": an interrupted wipe wrote it but did not archive /" + subvolume;
            }
        }

        /** Appends (and makes durable) the registry line that proves {@code archive} lethe's, before the rename. */
        record Record(String registry, String archive, String name, String subvolume, String uuid, String id,
                      String created, boolean degraded) implements BtrfsStep {
            @Override
            public String describe() {
                return "record " + archive + " (subvolume ID " + id + ", UUID " + uuid + ") in " + registry;
            }
        }

        /** renameat2(RENAME_NOREPLACE) of the root into the archives: constant time, never onto a name. */
        record Rename(String subvolume, String archive, boolean degraded) implements BtrfsStep {
            @Override
            public String describe() {
                return "keep /" + subvolume + " as archive " + archive + " (a rename: constant time)"
                        + (degraded ? ", marked degraded: the previous boot did not finish activation, so it is"
                        + " kept until someone prunes it by id" : "");
            }
        }

        /** {@code btrfs subvolume snapshot BLANK ROOT}: the new root, writable. */
        record Snapshot(String blank, String subvolume) implements BtrfsStep {
            @Override
            public String describe() {
                return "make /" + subvolume + " a writable snapshot of /" + blank;
            }
        }
    }
}
