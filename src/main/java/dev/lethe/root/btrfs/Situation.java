package dev.lethe.root.btrfs;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a btrfs wipe stands, and therefore what is left to do, as the planner needs it. Values are
 * strings as the registry and the script write them (a subvolume ID "257", a time
 * "2026-11-28T21:45:00Z"), so that the initrd renderer can plan with its boot-time variables
 * ("${root_uuid}") in their place; the Java wipe fills in what it read from the disk.
 */
public sealed interface Situation {

    /**
     * The root is in use: archive it.
     *
     * @param uuid           the root subvolume's UUID, which the rename keeps: what the record names
     * @param id             its subvolume ID
     * @param archivesExist  the archives' directory is there already
     * @param staleRecord    the name in a record of this root's UUID: an earlier wipe recorded the
     *                       rename and stopped before it
     * @param archive        the archive's name ("@root.20261128T214500Z[.degraded]")
     * @param created        the archive's time as the registry writes it
     * @param degraded       the boot that used the root did not finish activation
     */
    record Ordinary(String uuid, String id, boolean archivesExist, Optional<String> staleRecord, String archive,
                    String created, boolean degraded) implements Situation {
        public Ordinary {
            Objects.requireNonNull(staleRecord);
        }
    }

    /** The root is missing and its archive {@code archive} recorded: an earlier wipe stopped before the snapshot. */
    record RenamedNotRecreated(String archive) implements Situation {}

    /**
     * The root is missing and an archive-named subvolume no record names is there: the record was
     * lost after the rename. Cannot follow from lethe's own order of steps; kept for a registry
     * restored from an older copy. Only the Java wipe looks for it.
     */
    record RenamedNotRecorded(String archive, String uuid, String id, String created, boolean degraded)
            implements Situation {}

    /** The root is an untouched snapshot of the blank: an earlier wipe finished (or nothing ran since). */
    record AlreadyFresh() implements Situation {}
}
