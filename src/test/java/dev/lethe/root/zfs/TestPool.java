package dev.lethe.root.zfs;

import dev.lethe.testing.Contexts;
import dev.lethe.config.RootConfig;
import dev.lethe.config.RootConfig.Retention;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Origin;
import dev.lethe.root.RootContext;
import dev.lethe.testing.Sh;
import dev.lethe.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file-backed pool on a tmpfs of the test's own, shaped like a machine using the zfs strategy:
 * <ul>
 * <li>{@code POOL/root}, mounted at {@code scratch/root}, with files and a child dataset
 *     {@code POOL/root/var}; {@code POOL/root@blank} was taken with -r while it was fresh; since then
 *     files were written and changed, and a child dataset {@code POOL/root/var/cache} was made;</li>
 * <li>a store, {@code POOL/persist}, mounted at {@code scratch/sys/persist}: {@code scratch/sys} is the
 *     managed root directory the strategy is given ({@code --root}), {@code /persist} its store.</li>
 * </ul>
 * Every mountpoint lies under the scratch directory. {@link #close} destroys the pool.
 */
final class TestPool implements AutoCloseable {
    private static final AtomicInteger COUNT = new AtomicInteger();

    final String pool;
    final String root;
    final String store;
    final Path scratch;
    final Path rootMount;
    final Path sys;
    final Path storeMount;
    final Map<String, String> blank;
    final Map<String, String> storeContent;

    TestPool() throws IOException {
        pool = "lethe" + ProcessHandle.current().pid() + "x" + COUNT.incrementAndGet();
        scratch = Files.createTempDirectory("lethe-zfs");
        Sh.run("mount", "-t", "tmpfs", "-o", "size=1g", "lethe-zfs", scratch.toString());
        Path image = scratch.resolve("pool.img");
        Sh.run("truncate", "-s", "512M", image.toString());
        // cachefile=none: no later daemon imports it again; -m none: the pool's top dataset is never mounted.
        Sh.run("zpool", "create", "-o", "cachefile=none", "-m", "none", pool, image.toString());
        root = pool + "/root";
        store = pool + "/persist";
        rootMount = scratch.resolve("root");
        sys = scratch.resolve("sys");
        storeMount = sys.resolve("persist");

        Sh.run("zfs", "create", "-o", "mountpoint=" + rootMount, root);
        Sh.run("zfs", "create", root + "/var");
        write("etc/hostname", "fresh\n");
        write("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
        write("var/lib/dpkg/status", "Package: base\n");
        Sh.run("zfs", "snapshot", "-r", root + "@blank");
        blank = Trees.manifest(rootMount);

        use("boot-1");
        Sh.run("zfs", "create", "-o", "mountpoint=" + storeMount, store);
        Files.writeString(storeMount.resolve("keep.txt"), "the store's data\n");
        Files.createDirectories(storeMount.resolve("home/alice"));
        Files.writeString(storeMount.resolve("home/alice/notes"), "notes\n");
        storeContent = Trees.manifest(storeMount);
    }

    /**
     * What a boot leaves on the root: changed and new files in the root and in var, and a child
     * dataset with no blank snapshot, var/cache. Returns the root's content afterwards.
     */
    Map<String, String> use(String boot) throws IOException {
        write("etc/hostname", boot + "\n");
        write("etc/" + boot + ".conf", "written by " + boot + "\n");
        write("var/log/syslog", "log of " + boot + "\n");
        write("tmp/junk-" + boot, "junk\n");
        Sh.run("zfs", "create", root + "/var/cache");
        write("var/cache/apt.bin", "cache of " + boot + "\n");
        return Trees.manifest(rootMount);
    }

    void write(String relative, String content) throws IOException {
        Path path = rootMount.resolve(relative);
        Files.createDirectories(path.getParent());
        Files.writeString(path, content);
    }

    RootConfig.Zfs config(String dataset, String blankName) {
        return new RootConfig.Zfs(dataset, blankName, Retention.UNDECLARED, new Origin("lethe.toml", 2));
    }

    /** The strategy on this pool's root, with a fresh scratch directory. */
    ZfsStrategy strategy() throws IOException {
        return strategy(root, "blank", sys);
    }

    ZfsStrategy strategy(String dataset, String blankName, Path managedRoot) throws IOException {
        return new ZfsStrategy(config(dataset, blankName), context(managedRoot));
    }

    RootContext context(Path managedRoot) throws IOException {
        return Contexts.of(managedRoot, List.of(AbsolutePath.of("/persist")),
                Files.createTempDirectory(scratch, "work"));
    }

    String zfs(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "zfs";
        System.arraycopy(args, 0, command, 1, args.length);
        return Sh.run(command);
    }

    /** One property's value as zfs get -H -p prints it. */
    String get(String property, String dataset) {
        return zfs("get", "-H", "-p", "-o", "value", property, dataset).strip();
    }

    boolean exists(String dataset) {
        return Sh.tryRun("zfs", "get", "-H", "type", dataset).exit() == 0;
    }

    /** Every dataset and snapshot of the pool with its origin, mount state and local properties. */
    String state() {
        return zfs("list", "-H", "-t", "all", "-r", "-o", "name,origin,mounted,mountpoint,canmount,readonly", pool)
                + zfs("get", "-H", "-r", "-s", "local", "-o", "name,property,value", "all", pool);
    }

    @Override
    public void close() {
        // zpool destroy -f unmounts everything first, and zfs-fuse may then call the pool busy for a
        // moment: try again for a while.
        Sh.Result destroyed = Sh.tryRun("zpool", "destroy", "-f", pool);
        for (int i = 0; i < 40 && destroyed.exit() != 0; i++) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            destroyed = Sh.tryRun("zpool", "destroy", "-f", pool);
        }
        if (destroyed.exit() != 0) {
            System.err.println("zpool destroy " + pool + " failed: " + destroyed.output());
        }
        Sh.tryRun("umount", "-R", scratch.toString());
        Sh.tryRun("rm", "-rf", scratch.toString());
    }
}
