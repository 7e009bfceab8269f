package dev.lethe.root.zfs;

import dev.lethe.diff.Change;
import dev.lethe.diff.Filter;
import dev.lethe.diff.TreeDiff;
import dev.lethe.linux.MountInfo;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootException;
import dev.lethe.root.ZfsStep;
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
 * lethe diff on zfs: what a tree of datasets (the live root, or an archive) holds that its blank
 * snapshots do not.
 *
 * <h2>Reading the blank through a clone</h2>
 * zfs-fuse (pool version 23) has no {@code zfs diff}, no {@code .zfs/snapshot} directory (not even
 * with snapdir=visible) and cannot mount a snapshot. A clone of a snapshot can be mounted, and
 * cloning only reads the snapshot. So each blank snapshot the diff needs is cloned, read-only, to
 * {@code POOL/lethe-diff.<leaf>.<pid>} (the root's) and its children {@code .../1}, {@code .../2}
 * (the child datasets'), each mounted in a directory of its own in the scratch directory: not
 * nested, so that a child's mount point in the blank is the plain directory it is in the root's blank
 * too, not a mount. {@link TreeDiff} walks each dataset against its blank's clone, a dataset made after
 * the blank against an empty directory (all of it is new), and the changes are named by where the
 * dataset is mounted on the root. The clones are destroyed before the diff returns, whatever happened.
 *
 * <h2>Leftovers</h2>
 * A diff killed before it could destroy its clones leaves them. The next diff, and every wipe,
 * destroys such a clone after proving it is one: named {@code POOL/lethe-diff.<leaf>.<digits>}; it and
 * everything in it a filesystem (no snapshot, which {@code destroy -r} would take along), with
 * {@code lethe:diff-of=<root>} set on itself (given to {@code zfs clone}, so there from the first
 * instant), and a clone of a blank snapshot of the root's tree; and the process its {@code
 * lethe:diff-by} names (pid and start time) no longer running: a diff running now keeps its clones.
 *
 * <h2>What is certainly unchanged</h2>
 * A clone shows the same inode numbers as the dataset made from the same snapshot, and an inode
 * nobody touched has the same change time there ({@link TreeDiff.Hint#CHANGE_TIME}; ZfsDiffTest
 * pins it on zfs-fuse). But zfs-fuse reports times in whole seconds: an inode changed once in the second before
 * the blank was taken and again in the same second after it would look unchanged. So the hint is
 * trusted only for an inode whose change time in the blank lies before the second the blank was
 * taken ({@code creation}); any later change then moves it to that second or later. A machine whose
 * clock went back behind the blank defeats that test, as it would any test by time.
 */
final class ZfsDiff {

    static final String DIFF_OF = "lethe:diff-of";
    static final String DIFF_BY = "lethe:diff-by";
    static final String PREFIX = "lethe-diff.";

    /**
     * One dataset to compare.
     *
     * @param dataset its name
     * @param at      where its files appear on the root ("/" for the root dataset, "/var")
     * @param files   where they are on the host now
     * @param blank   its blank snapshot; empty for a dataset made after the blank
     */
    record Tree(String dataset, AbsolutePath at, Path files, Optional<Blank> blank) {}

    /** A blank snapshot and the second it was taken (zfs's {@code creation}). */
    record Blank(String snapshot, long taken) {}

    private final ZfsNames names;
    private final Path scratch;
    private final Zfs zfs;
    private final Syscalls sys;

    ZfsDiff(ZfsNames names, RootContext context) {
        this.names = names;
        this.scratch = context.scratch().toAbsolutePath().normalize();
        this.zfs = new Zfs(context.tools());
        this.sys = context.sys();
    }

    // ---------------------------------------------------------------------------------------------
    // which trees

    /**
     * The root dataset and its child datasets where they are mounted below {@code hostRoot}, minus
     * those the filter leaves out whole (a store mounted over a child dataset is persisted).
     */
    List<Tree> live(ZfsNames n, Path hostRoot, Filter filter) throws IOException {
        String top = hostRoot.toAbsolutePath().normalize().toString();
        MountInfo mounts = MountInfo.read();
        Map<String, Node> tree = zfs.get(n.root(), Zfs.ALL_BELOW, "type", "canmount", "creation");
        List<Tree> trees = new ArrayList<>();
        for (Node dataset : Zfs.filesystems(tree)) {
            Optional<MountInfo.Mount> mount = mounts.mounts().stream()
                    .filter(m -> isZfs(m) && m.source().equals(dataset.name()) && MountInfo.isUnder(m.mountPoint(), top))
                    .min(Comparator.comparing((MountInfo.Mount m) -> m.mountPoint().length()));
            boolean isRoot = dataset.name().equals(n.root());
            if (isRoot && (mount.isEmpty() || !mount.get().mountPoint().equals(top))) {
                throw new RootException("the root dataset " + n.root() + " is not mounted at " + top + " (--root)"
                        + mount.map(m -> " but at " + m.mountPoint()).orElse("") + ": lethe diff reads the root where "
                        + "it is mounted; give --root the directory " + n.root() + " is mounted on");
            }
            if (mount.isEmpty()) {
                if (dataset.value("canmount").equals(Optional.of("off"))) {
                    continue;  // never mounted: no boot reads or writes what it holds
                }
                throw new RootException(dataset.name() + ", a dataset of the root " + n.root() + ", is not mounted "
                        + "below " + top + ", so lethe diff cannot read what it holds; mount it (zfs mount "
                        + dataset.name() + ") and run lethe diff again");
            }
            String mountPoint = mount.get().mountPoint();
            AbsolutePath at = isRoot ? AbsolutePath.ROOT
                    : AbsolutePath.of(top.equals("/") ? mountPoint : mountPoint.substring(top.length()));
            if (excludedWhole(filter, at)) {
                continue;
            }
            if (mounts.topmostAt(mountPoint).id() != mount.get().id()) {
                throw new RootException(dataset.name() + " is mounted at " + mountPoint + ", but another mount ("
                        + mounts.topmostAt(mountPoint).source() + ") covers it there, so lethe diff cannot read it");
            }
            trees.add(new Tree(dataset.name(), at, Path.of(mountPoint),
                    blank(tree, dataset.name() + "@" + n.blank())));
        }
        return trees;
    }

    /**
     * The datasets of an archive, mounted by {@link ZfsArchives#read} at {@code files} (each child at
     * its name below it: the wipe let the archive's mountpoints inherit), each compared with the
     * blank it was cloned from. Paths are named by the datasets' names: a child dataset's own
     * mountpoint, if it had one, went at the wipe.
     */
    List<Tree> archived(ZfsNames n, String archive, Path files, Filter filter) throws IOException {
        Map<String, Node> datasets = zfs.get(archive, Zfs.ALL_BELOW, "type", "origin");
        Map<String, Node> blanks = zfs.get(n.root(), Zfs.ALL_BELOW, "type", "creation");
        List<Tree> trees = new ArrayList<>();
        for (Node dataset : Zfs.filesystems(datasets)) {
            String rel = dataset.name().substring(archive.length());
            AbsolutePath at = rel.isEmpty() ? AbsolutePath.ROOT : AbsolutePath.of(rel);
            if (excludedWhole(filter, at)) {
                continue;
            }
            String itsBlank = n.root() + rel + "@" + n.blank();
            Optional<Blank> blank = dataset.value("origin").filter(itsBlank::equals).isPresent()
                    ? blank(blanks, itsBlank) : Optional.empty();
            trees.add(new Tree(dataset.name(), at, rel.isEmpty() ? files : files.resolve(rel.substring(1)), blank));
        }
        return trees;
    }

    private static boolean isZfs(MountInfo.Mount mount) {
        return mount.fsType().equals("zfs") || mount.fsType().equals("fuse.zfs");
    }

    /** True if the filter leaves out the mount point or a directory it lies in, and so all of the dataset. */
    private static boolean excludedWhole(Filter filter, AbsolutePath at) {
        if (at.isRoot()) {
            return false;
        }
        for (AbsolutePath path : at.ancestors()) {
            if (filter.excludes(path)) {
                return true;
            }
        }
        return filter.excludes(at);
    }

    private static Optional<Blank> blank(Map<String, Node> nodes, String snapshot) {
        Node node = nodes.get(snapshot);
        if (node == null) {
            return Optional.empty();
        }
        return Optional.of(new Blank(snapshot, node.value("creation").map(Long::parseLong).orElse(Long.MIN_VALUE)));
    }

    // ---------------------------------------------------------------------------------------------
    // the diff

    /** The changes in {@code trees} (the root's first) against their blanks, sorted by path. */
    List<Change> of(List<Tree> trees, Filter filter) throws IOException {
        if (trees.isEmpty() || trees.getFirst().blank().isEmpty()) {
            throw new RootException("the blank snapshot " + names.blankSnapshot() + " does not exist: lethe diff "
                    + "compares the root with it (zfs list -t snapshot -r " + names.root() + " shows the snapshots)");
        }
        for (ZfsStep.DestroyLeftover leftover : new ZfsLeftovers(zfs).of(names)) {
            for (List<String> command : ZfsCommands.of(leftover)) {
                zfs.run(command);
            }
        }
        String top = pool(names) + "/" + PREFIX + names.leaf() + "." + ProcessHandle.current().pid();
        if (zfs.exists(top)) {
            // Not one this run made, and not a leftover lethe could prove its own: never touched.
            throw new RootException("a dataset " + top + " exists already, named like the clone lethe diff would make"
                    + " now; lethe did not make it in this run and does not destroy it. Rename it or destroy it"
                    + " yourself if it is a leftover (zfs get all " + top + "), then run lethe diff again");
        }
        Path empty = scratch.resolve("zfs-diff-empty");
        List<Path> mountPoints = new ArrayList<>();
        boolean[] made = {false};
        Throwable failure = null;
        try {
            List<Path> blanks = clone(trees, top, empty, mountPoints, made);
            List<Change> changes = new ArrayList<>();
            for (int i = 0; i < trees.size(); i++) {
                Tree tree = trees.get(i);
                TreeDiff.Hint hint = tree.blank().<TreeDiff.Hint>map(b -> new SettledBeforeBlank(b.taken()))
                        .orElse(TreeDiff.Hint.NONE);
                for (Change change : TreeDiff.of(sys, tree.files().toString(), blanks.get(i).toString(),
                        filter.within(tree.at()), hint, true)) {
                    changes.add(new Change(change.path().under(tree.at()), change.kind(), change.what(),
                            change.bytes(), change.directory()));
                }
            }
            changes.sort(Comparator.comparing(Change::path));
            return List.copyOf(changes);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            List<RootException> cleanup = new ArrayList<>();
            try {
                // Only the clone this run made, proved again by its mark: never a dataset that was there before.
                if (made[0] && zfs.exists(top) && madeByThisProcess(top)) {
                    // Unmounts them, children first, then destroys them; zfs-fuse may call them busy a moment.
                    zfs.run(List.of("zfs", "destroy", "-r", top));
                }
                for (Path dir : mountPoints.reversed()) {
                    Files.deleteIfExists(dir);
                }
                Files.deleteIfExists(empty);
            } catch (IOException e) {
                cleanup.add(new RootException("cannot destroy " + top + ", the clone of " + names.blankSnapshot()
                        + " lethe diff made: " + e.getMessage() + ". The next lethe diff or wipe destroys it", e));
            }
            ZfsArchives.reportCleanup(failure, cleanup);
        }
    }

    /**
     * Clones each tree's blank, read-only, to {@code top} (the root's) and {@code top/<i>}, mounted in
     * a scratch directory each; returns where each tree's blank is readable, in the trees' order.
     */
    private List<Path> clone(List<Tree> trees, String top, Path empty, List<Path> mountPoints, boolean[] made)
            throws IOException {
        List<Path> blanks = new ArrayList<>();
        for (int i = 0; i < trees.size(); i++) {
            Optional<Blank> blank = trees.get(i).blank();
            if (blank.isEmpty()) {
                Files.createDirectories(empty);
                blanks.add(empty);
                continue;
            }
            String clone = i == 0 ? top : top + "/" + i;
            Path mountPoint = scratch.resolve(i == 0 ? "zfs-diff-blank" : "zfs-diff-blank-" + i);
            mountPoints.add(mountPoint);
            List<String> command = new ArrayList<>(List.of("zfs", "clone", "-o", "mountpoint=" + mountPoint,
                    "-o", "readonly=on", "-o", "canmount=noauto", "-o", DIFF_OF + "=" + names.root()));
            if (i == 0) {
                command.addAll(List.of("-o", DIFF_BY + "=" + ZfsLeftovers.processId(ProcessHandle.current())));
            }
            command.addAll(List.of(blank.get().snapshot(), clone));
            zfs.run(command);
            if (i == 0) {
                made[0] = true;
            }
            // zfs-fuse mounts a new clone whatever canmount says; OpenZFS mounts none with canmount=noauto.
            if (!zfs.get(clone, 0, "mounted").get(clone).value("mounted").orElse("no").equals("yes")) {
                zfs.run(List.of("zfs", "mount", clone));
            }
            blanks.add(mountPoint);
        }
        return blanks;
    }

    /**
     * {@link TreeDiff.Hint#CHANGE_TIME}, trusted only for an inode whose change time in the blank lies
     * before the second the blank was taken: zfs-fuse's times have whole seconds (see the class comment).
     */
    private record SettledBeforeBlank(long taken) implements TreeDiff.Hint {
        @Override
        public boolean touched(long inode) {
            return true;
        }

        @Override
        public boolean unchanged(Stat live, Stat blank) {
            return blank.ctimeSec() < taken && TreeDiff.Hint.CHANGE_TIME.unchanged(live, blank);
        }
    }

    /** True if the dataset's diff-by mark names this process (pid and start time). */
    private boolean madeByThisProcess(String dataset) throws RootException {
        return zfs.get(dataset, 0, DIFF_BY).get(dataset).value(DIFF_BY)
                .filter(ZfsLeftovers.processId(ProcessHandle.current())::equals).isPresent();
    }

    private static String pool(ZfsNames n) {
        return n.pool();
    }
}
