package dev.lethe.root.zfs;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.linux.MountInfo;
import dev.lethe.model.AbsolutePath;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy.ArchiveReader;
import dev.lethe.root.zfs.Zfs.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The archives of a zfs root: listed, measured, read and destroyed, the last two only after proving
 * the dataset is lethe's archive of this root (docs/strategies.md, "zfs: ownership").
 */
final class ZfsArchives {
    private final RootContext context;
    private final Zfs zfs;
    private final ZfsCheck check;

    ZfsArchives(RootContext context, Zfs zfs, ZfsCheck check) {
        this.context = context;
        this.zfs = zfs;
        this.check = check;
    }

    List<ArchiveRef> list(ZfsNames n) throws IOException {
        Map<String, Node> children = zfs.get(n.archives(), 1, "type", "guid", "origin", ZfsNames.ARCHIVE, ZfsNames.OF,
                ZfsNames.GUID, ZfsNames.STATE);
        List<ArchiveRef> archives = new ArrayList<>();
        for (Node child : children.values()) {
            Optional<ArchiveRef> ref = n.ref(child.name());
            // A finished archive is a clone of the root's blank; an unfinished one is listed too, so
            // that it is seen, though only a finished one can be destroyed.
            if (ref.isPresent() && child.isFilesystem()
                    && child.local(ZfsNames.ARCHIVE).equals(Optional.of("yes"))
                    && child.local(ZfsNames.OF).equals(Optional.of(n.root()))
                    && child.local(ZfsNames.GUID).equals(child.value("guid"))
                    && (child.value("origin").equals(Optional.of(n.blankSnapshot()))
                            || child.local(ZfsNames.STATE).equals(Optional.of(ZfsNames.PENDING)))) {
                archives.add(ref.get());
            }
        }
        archives.sort(Comparator.comparing(ArchiveRef::created).thenComparing(ArchiveRef::id).reversed());
        return archives;
    }

    long sizeOf(ZfsNames n, ArchiveRef archive) throws IOException {
        String dataset = datasetOf(n, archive);
        // "used" of a clone is what destroying it frees: its own blocks, snapshots and children.
        return zfs.get(dataset, 0, "used").values().stream().findFirst()
                .flatMap(node -> node.value("used")).map(Long::parseLong).orElse(-1L);
    }

    private static String datasetOf(ZfsNames n, ArchiveRef archive) throws RootException {
        String dataset = n.archives() + "/" + archive.id();
        if (archive.id().contains("/") || n.ref(dataset).isEmpty()) {
            throw new RootException("\"" + archive.id() + "\" is not the name of an archive of " + n.root() + " (they are "
                    + n.archives() + "/" + n.leaf() + ".<yyyyMMdd'T'HHmmss'Z'>[.degraded])");
        }
        return dataset;
    }

    /** The archive's dataset, after proving it is lethe's archive of this root. */
    String proven(ZfsNames n, ArchiveRef archive) throws IOException {
        String dataset = datasetOf(n, archive);
        Map<String, Node> tree = zfs.get(dataset, Zfs.ALL_BELOW, "type", "guid", "origin", ZfsNames.ARCHIVE, ZfsNames.OF,
                ZfsNames.GUID, ZfsNames.STATE);
        Node top = tree.get(dataset);
        String refuse = "refusing to touch " + dataset + ": ";
        if (top == null || !top.isFilesystem()) {
            throw new RootException(refuse + "no such archive (lethe archive list shows them)");
        }
        if (!top.local(ZfsNames.ARCHIVE).equals(Optional.of("yes")) || !top.local(ZfsNames.OF).equals(Optional.of(n.root()))) {
            throw new RootException(refuse + "it is not marked as lethe's archive of " + n.root() + " (" + ZfsNames.ARCHIVE
                    + "=yes and " + ZfsNames.OF + "=" + n.root() + " set on it)");
        }
        for (Node member : Zfs.filesystems(tree)) {
            if (!member.local(ZfsNames.GUID).equals(member.value("guid"))) {
                throw new RootException(refuse + member.name() + " is not the dataset lethe archived: its guid "
                        + member.value("guid").orElse("?") + " is not the " + ZfsNames.GUID + " recorded on it ("
                        + member.local(ZfsNames.GUID).orElse("none") + ")");
            }
        }
        if (!top.value("origin").equals(Optional.of(n.blankSnapshot()))) {
            throw new RootException(refuse + "it is not a clone of " + n.blankSnapshot() + " (its origin: "
                    + top.value("origin").orElse("none") + "), as every finished archive of " + n.root() + " is");
        }
        if (!top.local(ZfsNames.STATE).equals(Optional.of(ZfsNames.DONE))) {
            throw new RootException(refuse + "the wipe that made it did not finish; run lethe wipe to finish it first");
        }
        for (AbsolutePath store : context.stores()) {
            MountInfo.Mount mount = MountInfo.read().containing(check.hostPath(store));
            if (mount != null && (mount.source().equals(dataset) || mount.source().startsWith(dataset + "/"))) {
                throw new RootException(refuse + "store " + store + " is mounted from it");
            }
        }
        if (n.inRootTree(dataset) || n.root().startsWith(dataset + "/")) {
            throw new RootException(refuse + "it is the root or holds it");
        }
        return dataset;
    }

    /**
     * Mounts the proven archive read-only at a scratch directory, parents first, runs {@code reader},
     * and undoes it. A mountpoint property is the one way to mount a dataset on zfs-fuse (it has no
     * mount.zfs for mount -t zfs). The archive is canmount=noauto, so setting it mounts nothing;
     * readonly=on is inherited by each dataset, so every mount below is read-only.
     */
    <T> T read(ZfsNames n, ArchiveRef archive, ArchiveReader<T> reader) throws IOException {
        String dataset = proven(n, archive);
        List<Node> datasets = Zfs.filesystems(zfs.get(dataset, Zfs.ALL_BELOW, "type"));
        Path dir = context.scratch().toAbsolutePath().normalize().resolve("zfs-" + archive.id());
        Files.createDirectories(dir);
        List<String> mounted = new ArrayList<>();
        zfs.run(List.of("zfs", "set", "mountpoint=" + dir, dataset));
        Throwable failure = null;
        try {
            for (Node node : datasets) {
                zfs.run(List.of("zfs", "mount", node.name()));
                mounted.add(node.name());
            }
            return reader.read(dir);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            List<RootException> cleanup = new ArrayList<>();
            for (String name : mounted.reversed()) {
                try {
                    zfs.run(List.of("zfs", "unmount", name));
                } catch (RootException e) {
                    cleanup.add(e);
                }
            }
            try {
                zfs.run(List.of("zfs", "inherit", "mountpoint", dataset));
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                cleanup.add(new RootException("cannot restore " + dataset + " after reading it: " + e.getMessage(), e));
            }
            reportCleanup(failure, cleanup);
        }
    }

    void destroy(ZfsNames n, ArchiveRef archive) throws IOException {
        String dataset = proven(n, archive);
        // -r: the archive's own child datasets and snapshots go with it; never -R, which would also
        // destroy clones of them elsewhere: if someone cloned one, zfs refuses and says so.
        zfs.run(List.of("zfs", "destroy", "-r", dataset));
    }

    /**
     * After a {@code finally} that undid what an operation set up: the cleanup's failures ride along
     * with the operation's own {@code failure}, or, if it succeeded, the first of them is thrown.
     */
    static void reportCleanup(Throwable failure, List<RootException> cleanup) throws RootException {
        if (cleanup.isEmpty()) {
            return;
        }
        if (failure != null) {
            cleanup.forEach(failure::addSuppressed);
        } else {
            RootException first = cleanup.getFirst();
            cleanup.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
    }
}
