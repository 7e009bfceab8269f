package dev.lethe.root.btrfs;

import dev.lethe.config.RootConfig;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.MountInfo;
import dev.lethe.model.AbsolutePath;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootException;
import dev.lethe.root.btrfs.Btrfs.Listed;
import dev.lethe.root.btrfs.Btrfs.Subvolume;
import dev.lethe.root.btrfs.Mounted.Access;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The read-only half of the btrfs strategy: the names from the config, the device, and what the top
 * level holds ({@link Layout}), with every layout lethe must not act on refused before anything is
 * changed.
 */
final class Inspection {
    private final RootConfig.Btrfs config;
    private final RootContext context;
    private final Btrfs btrfs;

    Inspection(RootConfig.Btrfs config, RootContext context, Btrfs btrfs) {
        this.config = config;
        this.context = context;
        this.btrfs = btrfs;
    }

    /** The config's names (checked and normalised when the config was read), with the device checked to hold btrfs. */
    Names names() throws RootException {
        Names names = new Names(config.device(), config.subvolume(), config.blank());
        requireDevice(names);
        return names;
    }

    /** The top level of the device, mounted for one operation. */
    Mounted top(Names names, Access access) throws IOException {
        return Mounted.subvolume(context.sys(), names.device(), Mounted.TOP_LEVEL, access, context.scratch());
    }

    private void requireDevice(Names names) throws RootException {
        if (!Files.exists(Path.of(names.device()))) {
            throw new RootException("the btrfs device " + names.device() + " does not exist. Check [root] device"
                    + " (ls -l /dev/disk/by-label /dev/disk/by-uuid lists the names); nothing was changed");
        }
        Btrfs.Probe probe = btrfs.probe(names.device());
        if (!probe.type().equals("btrfs")) {
            throw new RootException(names.device() + " holds " + (probe.type().isEmpty() ? "no filesystem lethe can read"
                    : probe.type()) + ", not btrfs: [root] strategy = \"btrfs\" needs the device of the btrfs"
                    + " filesystem that holds subvolume " + names.subvolume() + "; nothing was changed");
        }
    }

    /** Reads the top level and refuses a layout lethe must not act on. Changes nothing. */
    Layout inspect(Names names, Mounted top) throws IOException {
        // Commits pending writes, so that a subvolume's generation shows whether it was written to
        // (see Subvolume.isUntouchedSnapshotOf). Best effort: on a read-only filesystem nothing is pending.
        try {
            top.sync();
        } catch (ErrnoException e) {
            // Nothing to commit, or nothing lethe can do about it: the generations then read older.
        }
        Optional<Subvolume> root = subvolumeAt(names, top, names.subvolume(), "subvolume");
        Subvolume blank = subvolumeAt(names, top, names.blank(), "blank").orElseThrow(() -> new RootException(
                "the blank subvolume " + names.blank() + " does not exist on " + names.device()
                        + ". Make it once, from an empty root: btrfs subvolume snapshot -r TOP/" + names.subvolume()
                        + " TOP/" + names.blank() + " (TOP: the top level mounted with -o subvolid=5),"
                        + " or fix [root] blank; nothing was changed"));
        if (!btrfs.isReadOnly(top.resolve(names.blank()))) {
            throw new RootException("the blank subvolume " + names.blank() + " on " + names.device()
                    + " is writable: whatever is written to it would come back at every boot. Make it read-only:"
                    + " btrfs property set -ts TOP/" + names.blank() + " ro true (TOP: the top level mounted with"
                    + " -o subvolid=5); nothing was changed");
        }
        Path archives = top.resolve(Names.ARCHIVES);
        boolean archivesExist = Files.exists(archives, LinkOption.NOFOLLOW_LINKS);
        if (archivesExist && !Files.isDirectory(archives, LinkOption.NOFOLLOW_LINKS)) {
            throw new RootException(Names.ARCHIVES + " on the top level of " + names.device()
                    + " is not a directory; lethe keeps its archives there. Move it away; nothing was changed");
        }
        if (root.isPresent() && btrfs.defaultSubvolume(top.path) == root.get().id()) {
            throw new RootException("subvolume " + names.subvolume() + " is the default subvolume of " + names.device()
                    + " (btrfs subvolume set-default): after a wipe the default would still be the old root, now an"
                    + " archive, and the machine would boot into it. Mount the root by name (rootflags=subvol="
                    + names.subvolume() + " on the kernel command line, subvol=" + names.subvolume() + " in fstab),"
                    + " then btrfs subvolume set-default 5 TOP (TOP: the top level mounted with -o subvolid=5);"
                    + " nothing was changed");
        }
        List<Listed> subvolumes = btrfs.list(top.path);
        Registry registry = Registry.read(archives.resolve(Registry.FILE));
        checkStores(names, root, blank, subvolumes);
        return new Layout(root, blank, subvolumes, registry, archivesExist);
    }

    /** The subvolume at a path of the top level; empty if nothing is there; refused if something else is. */
    Optional<Subvolume> subvolumeAt(Names names, Mounted top, String name, String key)
            throws RootException {
        Path path = top.resolve(name);
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Optional<Subvolume> subvolume = Files.isSymbolicLink(path) ? Optional.empty() : btrfs.show(path);
        if (subvolume.isEmpty()) {
            throw new RootException("[root] " + key + " " + name + " on " + names.device() + " is "
                    + (Files.isSymbolicLink(path) ? "a symbolic link" : Files.isDirectory(path) ? "a plain directory" : "a file")
                    + ", not a btrfs subvolume: lethe archives a root by renaming its subvolume. Fix [root] " + key
                    + ", or make it a subvolume (btrfs subvolume create, then move the files in); nothing was changed");
        }
        return subvolume;
    }

    /**
     * Refuses a root or blank that a store lives in: every wipe would take the store away. A store is
     * checked where it is mounted now (under --root); one not yet mounted (in the initrd) has
     * nothing to compare.
     */
    private void checkStores(Names names, Optional<Subvolume> root, Subvolume blank, List<Listed> subvolumes)
            throws IOException {
        Set<Long> forbidden = new HashSet<>();
        forbidden.add(blank.id());
        Btrfs.nestedIn(blank.id(), subvolumes).forEach(s -> forbidden.add(s.id()));
        if (root.isPresent()) {
            forbidden.add(root.get().id());
            Btrfs.nestedIn(root.get().id(), subvolumes).forEach(s -> forbidden.add(s.id()));
        }
        MountInfo mounts = null;
        for (AbsolutePath store : context.stores()) {
            Path host = store.isRoot() ? context.root() : context.root().resolve(store.value().substring(1));
            if (!Files.exists(host)) {
                continue;
            }
            Path real = host.toRealPath();
            if (mounts == null) {
                mounts = MountInfo.read();
            }
            MountInfo.Mount mount = mounts.containing(real.toString());
            if (mount == null || !mount.fsType().equals("btrfs") || !sameFilesystem(names, mount.source())) {
                continue;
            }
            long id = btrfs.subvolumeOf(real);
            if (forbidden.contains(id)) {
                String which = root.isPresent() && id == root.get().id() ? "subvolume = \"" + names.subvolume() + "\""
                        : id == blank.id() ? "blank = \"" + names.blank() + "\"" : "subvolume = \"" + names.subvolume()
                        + "\" (as a subvolume nested in it)";
                throw new RootException("store " + store.value() + " is on subvolume " + mount.root() + " of "
                        + names.device() + " (mounted at " + mount.mountPoint() + "), which [root] " + which
                        + " names: every wipe would archive the store and replace it with the blank. Set [root]"
                        + " subvolume to the subvolume mounted as / and keep stores in subvolumes of their own"
                        + " (e.g. @persist)" + (mount.mountPoint().equals(real.toString()) ? "" : ". If " + store.value()
                        + " is a filesystem of its own, it is not mounted now: mount it (or find why it failed)")
                        + "; nothing was changed");
            }
        }
    }

    private boolean sameFilesystem(Names names, String source) throws IOException {
        if (!source.startsWith("/")) {
            return false;
        }
        Path device = Path.of(names.device()).toRealPath();
        Path other = Path.of(source);
        if (Files.exists(other) && other.toRealPath().equals(device)) {
            return true;
        }
        // A filesystem of several devices is mounted under any of them: compare the filesystem UUID.
        String uuid = btrfs.probe(names.device()).uuid();
        return !uuid.isEmpty() && Files.exists(other) && uuid.equals(btrfs.probe(source).uuid());
    }
}
