package dev.lethe.root.btrfs;

import dev.lethe.config.RootConfig;
import dev.lethe.root.RootException;
import java.util.Optional;

/**
 * The three [root] values of the btrfs strategy, validated: the device, and the root and blank
 * subvolumes as paths from the top level without a leading slash ("@root"). Public, with {@link
 * Situation} and {@link BtrfsWipePlanner#steps}, for the initrd renderer.
 */
public record Names(String device, String subvolume, String blank) {

    /**
     * The archives' directory on the top level. A plain directory, not a subvolume: one atomic
     * mkdir, nothing to prove about it, and it is never used as a listing source (archives are
     * found through the registry), so the plain-directory "list -o" hazard cannot arise.
     */
    public static final String ARCHIVES = "lethe-archives";

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

    /** The names the config gives, or the reason they cannot be used. */
    static Names of(RootConfig config) throws RootException {
        String device = config.device().orElseThrow(() -> new RootException(
                "[root] strategy = \"btrfs\" needs device: the btrfs filesystem that holds the root subvolume"));
        String subvolume = subvolumeName(config.subvolume(), "subvolume", "\"@root\"");
        String blank = subvolumeName(config.blank(), "blank", "\"@root-blank\"");
        if (subvolume.equals(blank)) {
            throw new RootException("[root] subvolume and blank are both " + subvolume
                    + ": the root must be recreated from a separate, read-only subvolume; nothing was changed");
        }
        if (blank.startsWith(subvolume + "/") || subvolume.startsWith(blank + "/")) {
            throw new RootException("[root] blank " + blank + " and subvolume " + subvolume
                    + " lie one inside the other: archiving the root would take the blank with it."
                    + " Keep both directly on the top level; nothing was changed");
        }
        return new Names(device, subvolume, blank);
    }

    /** A subvolume's path from the top level, as written ("@root", "/@root" or "roots/@root"). */
    private static String subvolumeName(Optional<String> value, String key, String example) throws RootException {
        String raw = value.orElseThrow(() -> new RootException(
                "[root] strategy = \"btrfs\" needs " + key + " (e.g. " + key + " = " + example + ")"));
        String name = raw;
        while (name.startsWith("/")) {
            name = name.substring(1);  // "/@root" as mount's subvol= option writes it
        }
        boolean bad = name.isEmpty() || name.endsWith("/") || name.chars().anyMatch(c -> c == '\t' || c == '\n' || c == 0);
        for (String part : name.split("/")) {
            bad |= part.isEmpty() || part.equals(".") || part.equals("..");
        }
        if (bad) {
            throw new RootException("[root] " + key + " = \"" + raw + "\" is not a subvolume path from the top level"
                    + " (e.g. " + example + "); nothing was changed");
        }
        if (name.equals(ARCHIVES) || name.startsWith(ARCHIVES + "/")) {
            throw new RootException("[root] " + key + " = \"" + raw + "\" lies in " + ARCHIVES
                    + ", where lethe keeps old roots; nothing was changed");
        }
        return name;
    }
}
