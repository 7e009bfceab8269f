package dev.lethe.diff;

import static dev.lethe.linux.Syscalls.bytes;

import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;

/**
 * The diff of a live root against its blank state, both readable as directory trees (btrfs: the
 * root subvolume and the blank snapshot; zfs: the root dataset and a clone of {@code @blank}): the
 * two trees are walked side by side by name.
 *
 * <ul>
 * <li>a name only the live tree has is {@code ADDED}, and so is everything below it, path by path;</li>
 * <li>a name only the blank has is {@code DELETED} (a deleted directory is one change);</li>
 * <li>a name both have is {@code MODIFIED}: "type changed"; "replaced" for a directory removed and
 * made anew (when the trees share inode numbers: a different inode), whose contents are then all
 * new; "modified" for other content or symbolic link target; "metadata" for the same content with
 * another owner, mode, link count, modification time, inode flags ({@code chattr}) or extended
 * attributes (capabilities, ACLs, security labels). A directory that is only the way to a
 * changed path is not itself reported unless its owner or mode changed.</li>
 * </ul>
 *
 * <p>A {@link Hint} from the filesystem lets the walk skip what certainly did not change: on btrfs
 * the generation numbers name every inode written since the blank was made, so an untouched subtree
 * is never entered and an unchanged directory's names are filtered by their inode number (d_ino)
 * without a {@code statx} each. Without a hint every path of both trees is examined.
 *
 * <p>Everything goes through descriptors opened with {@code O_NOFOLLOW} relative to the parent's;
 * names are examined without following symbolic links; a name on another filesystem or a mount
 * point (a nested btrfs subvolume, {@code /proc}) is not entered.
 */
public final class TreeDiff {

    private static final long DIRECTORY = Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC;

    /** What the filesystem knows about which inodes changed since the blank was made. */
    public interface Hint {
        /**
         * False only if the inode, and everything below it if it is a directory, certainly did not
         * change since the blank state. Asked only of names whose inode number the blank has at the
         * same name (the trees share inode numbers).
         */
        boolean touched(long inode);

        /**
         * True if the live inode certainly did not change since the blank one, so neither its content
         * nor its metadata is read; for a directory, its names are the blank's. Asked only when both
         * trees have the name with the same type.
         */
        boolean unchanged(Stat live, Stat blank);

        /** No knowledge: every path of both trees is examined. */
        Hint NONE = new Hint() {
            @Override
            public boolean touched(long inode) {
                return true;
            }

            @Override
            public boolean unchanged(Stat live, Stat blank) {
                return false;
            }
        };

        /**
         * For trees that share inode numbers (a zfs clone): an inode with the same number, change
         * time, modification time and size is unchanged. Sound because user space cannot set the
         * change time: any write, chmod, chown, link or rename of the inode moves it.
         */
        Hint CHANGE_TIME = new Hint() {
            @Override
            public boolean touched(long inode) {
                return true;
            }

            @Override
            public boolean unchanged(Stat live, Stat blank) {
                return live.inode() == blank.inode() && live.ctimeSec() == blank.ctimeSec()
                        && live.ctimeNsec() == blank.ctimeNsec() && live.mtimeSec() == blank.mtimeSec()
                        && live.mtimeNsec() == blank.mtimeNsec() && live.size() == blank.size();
            }
        };
    }

    private final Syscalls sys;
    private final Filter filter;
    private final Hint hint;
    private final boolean sharedInodes;
    private final EntryComparison contents;
    private final List<Change> changes = new ArrayList<>();
    private long liveDevice;
    private long liveMountId;
    private long blankDevice;
    private long blankMountId;

    private TreeDiff(Syscalls sys, Filter filter, Hint hint, boolean sharedInodes) {
        this.sys = sys;
        this.filter = filter;
        this.hint = hint;
        this.sharedInodes = sharedInodes;
        this.contents = new EntryComparison(sys);
    }

    /**
     * The changes in the tree at host path {@code live} against the tree at {@code blank}, sorted by path.
     *
     * @param sharedInodes the live tree was made from the blank keeping inode numbers (a btrfs
     *                     snapshot, a zfs clone): a different inode at a name means the path was made anew
     */
    public static List<Change> of(Syscalls sys, String live, String blank, Filter filter, Hint hint,
                                  boolean sharedInodes) throws IOException {
        TreeDiff diff = new TreeDiff(sys, filter, hint, sharedInodes);
        try (Descriptor liveFd = sys.open(Flags.AT_FDCWD, bytes(live), DIRECTORY, 0);
             Descriptor blankFd = sys.open(Flags.AT_FDCWD, bytes(blank), DIRECTORY, 0)) {
            Stat liveTop = sys.statx(liveFd.value(), bytes(""), Flags.AT_EMPTY_PATH);
            Stat blankTop = sys.statx(blankFd.value(), bytes(""), Flags.AT_EMPTY_PATH);
            diff.liveDevice = liveTop.device();
            diff.liveMountId = liveTop.mountId();
            diff.blankDevice = blankTop.device();
            diff.blankMountId = blankTop.mountId();
            diff.walk(liveFd.value(), blankFd.value(), AbsolutePath.ROOT, sharedInodes && hint.unchanged(liveTop, blankTop));
        }
        diff.changes.sort(Comparator.comparing(Change::path));
        return List.copyOf(diff.changes);
    }

    /**
     * Compares one directory present in both trees.
     *
     * @param sameNames the directory is unchanged, so its names (and their inode numbers) are the blank's
     */
    private void walk(int liveFd, int blankFd, AbsolutePath dir, boolean sameNames) throws IOException {
        List<Syscalls.DirEntry> liveNames = sys.listDirectory(liveFd);
        Map<ByteBuffer, Syscalls.DirEntry> blankNames = new HashMap<>();
        if (!sameNames) {
            for (Syscalls.DirEntry entry : sys.listDirectory(blankFd)) {
                blankNames.put(ByteBuffer.wrap(entry.name()), entry);
            }
        }
        for (Syscalls.DirEntry entry : liveNames) {
            // What is left in blankNames once every live name is taken out is what was deleted.
            Syscalls.DirEntry inBlank = sameNames ? entry : blankNames.remove(ByteBuffer.wrap(entry.name()));
            if (sharedInodes && inBlank != null && inBlank.inode() == entry.inode() && !hint.touched(entry.inode())) {
                continue;  // the same inode, and nothing at or below it changed: not even examined
            }
            AbsolutePath path = dir.resolve(entry.text());
            if (filter.excludes(path)) {
                continue;
            }
            compare(liveFd, blankFd, entry.name(), path, inBlank != null);
        }
        if (!sameNames) {
            for (Map.Entry<ByteBuffer, Syscalls.DirEntry> gone : blankNames.entrySet()) {
                AbsolutePath path = dir.resolve(gone.getValue().text());
                if (filter.excludes(path)) {
                    continue;
                }
                Stat was = stat(blankFd, gone.getValue().name());
                if (was != null && !elsewhere(was, blankDevice, blankMountId)) {
                    changes.add(new Change(path, Change.Kind.DELETED, Change.What.DELETED, 0, was.isDirectory()));
                }
            }
        }
    }

    private void compare(int liveFd, int blankFd, byte[] name, AbsolutePath path, boolean inBlank) throws IOException {
        Stat live = stat(liveFd, name);
        if (live == null) {
            return;  // vanished meanwhile
        }
        Stat blank = inBlank ? stat(blankFd, name) : null;
        boolean blankHasIt = blank != null;
        if (blank != null && elsewhere(blank, blankDevice, blankMountId)) {
            blank = null;
        }
        if (elsewhere(live, liveDevice, liveMountId)) {
            // Another filesystem: its mount point is the root's, its contents are not. A nested btrfs
            // subvolume shows in both trees as a placeholder of another device: no change.
            if (!blankHasIt && live.isDirectory()) {
                changes.add(new Change(path, Change.Kind.ADDED, Change.What.ADDED, 0, true));
            }
            return;
        }
        if (blank == null) {
            added(liveFd, name, path, live, Change.Kind.ADDED, Change.What.ADDED);
            return;
        }
        if (live.type() != blank.type()) {
            added(liveFd, name, path, live, Change.Kind.MODIFIED, Change.What.TYPE_CHANGED);
            return;
        }
        if (live.isDirectory()) {
            directory(liveFd, blankFd, name, path, live, blank);
            return;
        }
        if (hint.unchanged(live, blank)) {
            return;
        }
        long size = size(live);
        if (!contents.same(liveFd, blankFd, name, live, blank)) {
            changes.add(new Change(path, Change.Kind.MODIFIED, Change.What.MODIFIED, size, false));
        } else if (!sameMetadata(live, blank) || live.nlink() != blank.nlink()
                || live.mtimeSec() != blank.mtimeSec() || live.mtimeNsec() != blank.mtimeNsec()
                || !contents.sameAttributes(liveFd, blankFd, name, live)) {
            changes.add(new Change(path, Change.Kind.MODIFIED, Change.What.METADATA, size, false));
        }
    }

    private void directory(int liveFd, int blankFd, byte[] name, AbsolutePath path, Stat live, Stat blank)
            throws IOException {
        if (sharedInodes && live.inode() != blank.inode()) {
            // Removed and made anew: nothing below it is the blank's any more.
            added(liveFd, name, path, live, Change.Kind.MODIFIED, Change.What.REPLACED);
            return;
        }
        boolean sameNames = sharedInodes && hint.unchanged(live, blank);
        if (!sameMetadata(live, blank) || (!sameNames && !contents.sameAttributes(liveFd, blankFd, name, live))) {
            changes.add(new Change(path, Change.Kind.MODIFIED, Change.What.METADATA, 0, true));
        }
        Optional<Descriptor> liveChild = openDirectory(liveFd, name);
        if (liveChild.isEmpty()) {
            return;
        }
        try (Descriptor liveDir = liveChild.get()) {
            Optional<Descriptor> blankChild = openDirectory(blankFd, name);
            if (blankChild.isEmpty()) {
                return;
            }
            try (Descriptor blankDir = blankChild.get()) {
                walk(liveDir.value(), blankDir.value(), path, sameNames);
            }
        }
    }

    /** Reports a path the blank has not got (or not as this type), and everything below it, as new. */
    private void added(int dirFd, byte[] name, AbsolutePath path, Stat stat, Change.Kind kind, Change.What what)
            throws IOException {
        changes.add(new Change(path, kind, what, size(stat), stat.isDirectory()));
        if (!stat.isDirectory()) {
            return;
        }
        Optional<Descriptor> opened = openDirectory(dirFd, name);
        if (opened.isEmpty()) {
            return;
        }
        try (Descriptor directory = opened.get()) {
            int childFd = directory.value();
            for (Syscalls.DirEntry entry : sys.listDirectory(childFd)) {
                AbsolutePath childPath = path.resolve(entry.text());
                if (filter.excludes(childPath)) {
                    continue;
                }
                Stat child = stat(childFd, entry.name());
                if (child == null) {
                    continue;
                }
                if (elsewhere(child, liveDevice, liveMountId)) {
                    if (child.isDirectory()) {
                        changes.add(new Change(childPath, Change.Kind.ADDED, Change.What.ADDED, 0, true));
                    }
                    continue;
                }
                added(childFd, entry.name(), childPath, child, Change.Kind.ADDED, Change.What.ADDED);
            }
        }
    }

    private static boolean elsewhere(Stat stat, long device, long mountId) {
        return stat.device() != device || stat.mountRoot() || (mountId != 0 && stat.mountId() != mountId);
    }

    private static boolean sameMetadata(Stat a, Stat b) {
        return a.permissions() == b.permissions() && a.uid() == b.uid() && a.gid() == b.gid() && a.flags() == b.flags();
    }

    private static long size(Stat stat) {
        return stat.isRegularFile() || stat.isSymlink() ? stat.size() : 0;
    }

    /** statx without following; null if the name vanished meanwhile. */
    private Stat stat(int dirFd, byte[] name) throws ErrnoException {
        try {
            return sys.statx(dirFd, name, 0);
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT)) {
                return null;
            }
            throw e;
        }
    }

    /** The directory's descriptor, or none if it vanished or was replaced by something else meanwhile. */
    private Optional<Descriptor> openDirectory(int dirFd, byte[] name) throws ErrnoException {
        try {
            return Optional.of(sys.open(dirFd, name, DIRECTORY, 0));
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT) || e.is(Errno.ENOTDIR) || e.is(Errno.ELOOP)) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
