package dev.lethe.linux;

import java.util.Optional;
import java.util.UUID;

/**
 * A btrfs subvolume as {@code BTRFS_IOC_GET_SUBVOL_INFO} describes the one holding a descriptor:
 * the same numbers {@code btrfs subvolume show} prints.
 *
 * @param id         the subvolume's ID (its tree's objectid; "Subvolume ID")
 * @param name       its name in the directory that holds it (empty for the top level)
 * @param parentId   the subvolume holding it ("Parent ID"); 0 for the top level
 * @param generation the last transaction that changed it ("Generation")
 * @param createdIn  the transaction that created it ("Gen at creation", otransid)
 * @param changedIn  the last transaction that changed its root item ("ctransid")
 * @param flags      the root item's flags ({@link Flags#BTRFS_ROOT_SUBVOL_RDONLY})
 * @param uuid       its UUID
 * @param parentUuid the UUID of the subvolume it is a snapshot of, if it is one ("Parent UUID")
 */
public record SubvolumeInfo(long id, String name, long parentId, long generation, long createdIn,
        long changedIn, long flags, UUID uuid, Optional<UUID> parentUuid) {

    public boolean readOnly() {
        return (flags & Flags.BTRFS_ROOT_SUBVOL_RDONLY) != 0;
    }
}
