package dev.lethe.root;

import dev.lethe.config.RootConfig;
import dev.lethe.root.btrfs.BtrfsStrategy;
import dev.lethe.root.overlay.OverlayStrategy;
import dev.lethe.root.zfs.ZfsStrategy;

/** The strategy the config names. */
public final class Strategies {
    private Strategies() {}

    public static RootStrategy of(RootConfig config, RootContext context) {
        return switch (config.strategy()) {
            case BTRFS -> new BtrfsStrategy(config, context);
            case ZFS -> new ZfsStrategy(config, context);
            case OVERLAY -> new OverlayStrategy(config, context);
            case TMPFS -> new EphemeralStrategy("tmpfs",
                    "the root is a tmpfs: it is already forgotten at every boot, so there is nothing to wipe");
            case NONE -> new EphemeralStrategy("none",
                    "strategy \"none\" is adoption mode: lethe persists your entries but never wipes the root. "
                            + "Choose btrfs, zfs, overlay or tmpfs in [root] to start forgetting");
        };
    }
}
