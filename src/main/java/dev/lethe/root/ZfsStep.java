package dev.lethe.root;

import java.util.List;

/**
 * A step of the zfs wipe (root.zfs), on datasets by name; {@code root.zfs.ZfsCommands} says which zfs
 * commands perform each step, for the Java wipe and the initrd script alike. Marks: lethe:archive,
 * lethe:of, lethe:created, lethe:degraded, lethe:state, lethe:guid (docs/strategies.md).
 */
public sealed interface ZfsStep extends WipeStep {

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
