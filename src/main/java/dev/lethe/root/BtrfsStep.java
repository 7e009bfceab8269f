package dev.lethe.root;

/**
 * A step of the btrfs wipe. Values are strings as the script writes them, so that the initrd
 * renderer can plan with its boot-time variables ("${name}") in place of values.
 */
public sealed interface BtrfsStep extends WipeStep {

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
