package dev.lethe.doctor;

import dev.lethe.model.AbsolutePath;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One thing {@code lethe doctor} found wrong: the path it concerns, what is wrong, and what to do
 * about it. Each kind is a record, so a renderer handles every one (an exhaustive switch) and a
 * test can ask for exactly the finding it provoked.
 */
public sealed interface Finding {

    /** The path the finding is about (a store, an entry, a file on the root). */
    AbsolutePath path();

    /** What is wrong, in one sentence a person reads. */
    String problem();

    /** What to do about it. */
    String remedy();

    /** The kind as one word, for text and JSON: "store-mounted-late". */
    default String kind() {
        return switch (this) {
            case StoreMountedLate _ -> "store-mounted-late";
            case EntryNotActive _ -> "entry-not-active";
            case MountShadowed _ -> "mount-shadowed";
            case IdentityNotPersisted _ -> "identity-not-persisted";
            case UserDatabaseNotPersisted _ -> "user-database-not-persisted";
            case TmpfilesCleansPersisted _ -> "tmpfiles-cleans-persisted";
            case FileReplacedByRename _ -> "file-replaced-by-rename";
            case ArchivesFillingDisk _ -> "archives-filling-disk";
        };
    }

    /**
     * A store whose filesystem is not mounted early enough for lethe's activation, or not known to
     * the boot at all.
     *
     * @param reason why it is late: an fstab/unit option, or the absence of any line for it
     */
    record StoreMountedLate(AbsolutePath path, String reason, String remedy) implements Finding {
        @Override
        public String problem() {
            return "the store " + path + " " + reason;
        }
    }

    /** An entry that is not in place now (the state and explanation status gives). */
    record EntryNotActive(AbsolutePath path, String state, String detail) implements Finding {
        @Override
        public String problem() {
            return "the entry is " + state + ": " + detail;
        }

        @Override
        public String remedy() {
            return "see lethe status for this entry; fix what it names, then run lethe apply";
        }
    }

    /**
     * lethe's bind mount of an entry is present but hidden: another mount sits on the target or on
     * one of its parents, so programs see that mount instead of the persisted data.
     *
     * @param over where the hiding mount is (the target itself or a parent), with its source
     */
    record MountShadowed(AbsolutePath path, AbsolutePath over, String source) implements Finding {
        @Override
        public String problem() {
            return "lethe's bind mount on " + path + " is hidden by " + source + " mounted on " + over
                    + (over.equals(path) ? "" : " (a parent)") + ": programs write into that mount, not the store";
        }

        @Override
        public String remedy() {
            return "find what mounts " + over + " (an fstab line, a .mount unit, a container tool) and stop it, "
                    + "or persist a path that is not below it; then umount " + over + " and run lethe apply";
        }
    }

    /**
     * A machine identity the root strategy forgets at every boot: a new machine-id (a new journal, a
     * new DHCP identity) or new SSH host keys (every client warns of a man in the middle).
     */
    record IdentityNotPersisted(AbsolutePath path, String consequence) implements Finding {
        @Override
        public String problem() {
            return path + " is not persisted and the root is forgotten at each boot: " + consequence;
        }

        @Override
        public String remedy() {
            return path.value().equals("/etc/machine-id")
                    ? "lethe persist " + path + " --file --stage initrd (systemd reads it before any unit runs)"
                    : "lethe persist " + path + " --file --mode 0600 (or persist the directory /etc/ssh)";
        }
    }

    /**
     * Files in a store owned by ids that only this root's user database (or systemd's dynamic-user
     * state) defines: after a wipe those ids name nobody, or someone else.
     *
     * @param database the database that is not persisted (/etc/passwd and /etc/group, or /var/lib/systemd)
     * @param ids      the offending ids, with an example path for each
     */
    record UserDatabaseNotPersisted(AbsolutePath path, List<AbsolutePath> database, List<String> ids)
            implements Finding {
        public UserDatabaseNotPersisted {
            database = List.copyOf(database);
            ids = List.copyOf(ids);
        }

        @Override
        public String problem() {
            return "files in the store " + path + " belong to ids that are not the system's ("
                    + String.join("; ", ids) + "), and " + database.stream().map(AbsolutePath::value)
                    .collect(Collectors.joining(" and ")) + (database.size() == 1 ? " is" : " are")
                    + " not persisted: after the wipe the blank root decides who they are (nobody, or another user)";
        }

        @Override
        public String remedy() {
            return database.getFirst().value().equals("/var/lib/systemd")
                    ? "lethe persist /var/lib/systemd (systemd keeps its dynamic users' state there)"
                    : "create these users and groups, with the same ids, in the blank root as well (useradd writes "
                            + "the databases by rename, so they cannot be bind-mounted files); see docs/commands.md, lethe doctor";
        }
    }

    /**
     * A systemd-tmpfiles rule with an age that cleans inside persisted data: old files in the store
     * are deleted at every boot and every day by systemd-tmpfiles-clean.
     *
     * @param rule the rule's line, and where it is ({@code file:line})
     */
    record TmpfilesCleansPersisted(AbsolutePath path, String rule, String origin) implements Finding {
        @Override
        public String problem() {
            return "systemd-tmpfiles deletes old files in the persisted " + path + ": " + origin + ": " + rule;
        }

        @Override
        public String remedy() {
            String file = origin.substring(0, origin.lastIndexOf(':'));
            return (file.startsWith("/etc/tmpfiles.d/") ? "set this line's age to '-' in " + file
                    : "copy " + file + " to /etc/tmpfiles.d/ (the same name there masks it) and set this line's age to '-'")
                    + ", or persist a narrower path that the rule does not clean";
        }
    }

    /**
     * A file entry whose program replaces the file by renaming a new one over it, which fails with
     * EBUSY on a bind-mounted file (and replaces a symbolic link, leaving the store behind).
     *
     * @param program who writes it that way, and how
     * @param instead what to persist instead, or how else to keep it
     */
    record FileReplacedByRename(AbsolutePath path, String program, String instead) implements Finding {
        @Override
        public String problem() {
            return path + " is persisted as a single file, but " + program
                    + " replaces it by rename: on a bind-mounted file that fails (EBUSY), over a link it leaves the store's copy behind";
        }

        @Override
        public String remedy() {
            return instead;
        }
    }

    /**
     * The filesystem the archives of old roots live on is close to full, or mostly archives.
     *
     * @param path     where the archives are (the root, or an overlay's upper directory), on the managed root
     * @param archives   the archives' bytes where the strategy knows them, else -1
     */
    record ArchivesFillingDisk(AbsolutePath path, long total, long free, long archives) implements Finding {
        @Override
        public String problem() {
            return "the archives' filesystem at " + path + " has " + percent(free) + " % free (" + free + " of " + total
                    + " bytes)" + (archives < 0 ? "" : "; the archives take " + percent(archives) + " % of it");
        }

        @Override
        public String remedy() {
            return "lethe archive prune (and a shorter [root.archive] keep); the next wipe archives one more root there";
        }

        /** One decimal, so that a value just past a threshold does not print as the threshold itself. */
        private String percent(long part) {
            return String.format(java.util.Locale.ROOT, "%.1f", total <= 0 ? 0.0 : part * 100.0 / total);
        }
    }
}
