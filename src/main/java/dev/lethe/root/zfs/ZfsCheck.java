package dev.lethe.root.zfs;

import dev.lethe.config.RootConfig;
import dev.lethe.linux.MountInfo;
import dev.lethe.model.AbsolutePath;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootException;
import dev.lethe.root.zfs.Zfs.Node;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** Checks the config against the pool: read-only, refuses with what is wrong and what to do. */
final class ZfsCheck {
    private final RootConfig.Zfs config;
    private final RootContext context;
    private final Zfs zfs;

    ZfsCheck(RootConfig.Zfs config, RootContext context, Zfs zfs) {
        this.config = config;
        this.context = context;
        this.zfs = zfs;
    }

    /** The root dataset and its blank exist, and no store lies inside the root's tree. */
    void check(ZfsNames n) throws IOException {
        refuseStoresMountedFromRoot(n);
        Node root = zfs.node(n.root()).orElseThrow(() -> new RootException("dataset " + n.root()
                + " does not exist ([root] dataset in " + config.origin() + "); `zfs list` shows the datasets"));
        if (!root.isFilesystem()) {
            throw new RootException(n.root() + " is a " + root.value("type").orElse("?")
                    + ", not a filesystem dataset ([root] dataset in " + config.origin() + ")");
        }
        if (!zfs.exists(n.blankSnapshot())) {
            throw new RootException("the blank snapshot " + n.blankSnapshot() + " does not exist ([root] blank in "
                    + config.origin() + "). Take it once, while the root is fresh: zfs snapshot -r "
                    + n.blankSnapshot());
        }
        refuseStoresInRootTree(n);
    }

    /**
     * A store whose path is mounted from the root dataset, or from one inside it, or is a plain
     * directory on it, would be archived with the root and gone from the next boot.
     */
    void refuseStoresMountedFromRoot(ZfsNames n) throws IOException {
        MountInfo mounts = MountInfo.read();
        for (AbsolutePath store : context.stores()) {
            String host = hostPath(store);
            MountInfo.Mount mount = mounts.containing(host);
            if (mount == null || !(mount.fsType().equals("zfs") || mount.fsType().equals("fuse.zfs"))) {
                continue;
            }
            if (n.inRootTree(mount.source())) {
                throw new RootException("store " + store + " is on dataset " + mount.source() + " (mounted at "
                        + mount.mountPoint() + "), which is the root dataset " + n.root() + " or lies inside it: "
                        + "wiping the root would archive the store. Keep the store on a dataset outside " + n.root()
                        + " (" + config.origin() + ")");
            }
        }
    }

    /** The same for a store not mounted yet (in the initrd): a dataset of the root whose mountpoint is the store. */
    private void refuseStoresInRootTree(ZfsNames n) throws RootException {
        for (Node dataset : Zfs.filesystems(zfs.get(n.root(), Zfs.ALL_BELOW, "type", "mountpoint"))) {
            Optional<String> mountpoint = dataset.value("mountpoint");
            for (AbsolutePath store : context.stores()) {
                if (mountpoint.isPresent() && (mountpoint.get().equals(store.toString())
                        || mountpoint.get().equals(hostPath(store)))) {
                    throw new RootException("store " + store + " is dataset " + dataset.name() + " (mountpoint "
                            + mountpoint.get() + "), which is the root dataset " + n.root() + " or lies inside it: "
                            + "wiping the root would archive the store. Keep the store on a dataset outside "
                            + n.root() + " (" + config.origin() + ")");
                }
            }
        }
    }

    /** Where a store of the managed root is on this host. */
    String hostPath(AbsolutePath store) {
        Path root = context.root().toAbsolutePath().normalize();
        return store.isRoot() ? root.toString() : root.resolve(store.toString().substring(1)).toString();
    }
}
