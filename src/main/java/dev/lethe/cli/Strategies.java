package dev.lethe.cli;

import dev.lethe.config.RootConfig;
import dev.lethe.root.NoWipeStrategy;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootStrategy;
import dev.lethe.root.btrfs.BtrfsStrategy;
import dev.lethe.root.overlay.OverlayStrategy;
import dev.lethe.root.zfs.ZfsStrategy;

/** The strategy the config names; here, in the composition root, so that {@code root} never depends on its subpackages. */
public final class Strategies {
    private Strategies() {}

    public static RootStrategy of(RootConfig config, RootContext context) {
        return switch (config) {
            case RootConfig.Btrfs btrfs -> new BtrfsStrategy(btrfs, context);
            case RootConfig.Zfs zfs -> new ZfsStrategy(zfs, context);
            case RootConfig.Overlay overlay -> new OverlayStrategy(overlay, context);
            case RootConfig.Tmpfs _ -> NoWipeStrategy.tmpfs();
            case RootConfig.None _ -> NoWipeStrategy.none();
        };
    }
}
