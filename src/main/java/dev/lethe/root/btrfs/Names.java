package dev.lethe.root.btrfs;

import dev.lethe.config.RootConfig;

/**
 * The three [root] values of the btrfs strategy (checked and normalised by config.RootRules): the
 * device, and the root and blank subvolumes as paths from the top level without a leading slash
 * ("@root"). Public, with {@link Situation} and {@link BtrfsWipePlanner#steps}, for the initrd
 * renderer.
 */
public record Names(String device, String subvolume, String blank) {

    /**
     * The archives' directory on the top level. A plain directory, not a subvolume: one atomic
     * mkdir, nothing to prove about it, and it is never used as a listing source (archives are
     * found through the registry), so the plain-directory "list -o" hazard cannot arise.
     */
    public static final String ARCHIVES = RootConfig.ARCHIVES;

    /** The last component of the root's path, which archive names start with. */
    public String base() {
        return subvolume.substring(subvolume.lastIndexOf('/') + 1);
    }

    /** An archive's path from the top level. */
    public String archivePath(String archive) {
        return ARCHIVES + "/" + archive;
    }

    /** The registry's path from the top level. */
    public String registry() {
        return ARCHIVES + "/" + Registry.FILE;
    }
}
