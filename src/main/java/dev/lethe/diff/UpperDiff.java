package dev.lethe.diff;

import static dev.lethe.linux.Syscalls.bytes;

import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Descriptor;
import dev.lethe.linux.FileType;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The diff of an overlay root: the current boot's upper directory <em>is</em> what the next boot will
 * forget, so this walks only the upper (cost independent of the lower root's size) and looks each
 * path up in the lower root to tell added from modified.
 *
 * <p>Everything goes through descriptors: each directory is opened with {@code openat(O_NOFOLLOW |
 * O_DIRECTORY)} relative to its parent's descriptor, every name is examined with {@code statx}
 * without following symbolic links, and a directory on another filesystem (a mount inside the upper)
 * is not entered. What the upper holds:
 * <ul>
 * <li>a character device 0/0 is a whiteout: the lower path was deleted ({@code DELETED});</li>
 * <li>a directory with {@code trusted.overlay.opaque="y"} hides the lower directory of that name:
 * reported {@code MODIFIED "replaced"} (or {@code ADDED} if the lower has nothing there), and its
 * contents are all new;</li>
 * <li>any other path is {@code MODIFIED} if the lower root has one of that name ("type changed",
 * "modified" for other content or link target, "metadata" for the same content), else {@code ADDED}.
 * A directory that the lower root has too, with the same owner and mode, is only the way to a
 * changed path (overlayfs copies parents up) and is not itself reported.</li>
 * </ul>
 */
public final class UpperDiff {

    private static final long DIRECTORY = Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC;
    private static final byte[] OPAQUE = bytes("trusted.overlay.opaque");

    private final Syscalls sys;
    private final Filter filter;
    private final List<Change> changes = new ArrayList<>();
    private final EntryComparison contents;

    private UpperDiff(Syscalls sys, Filter filter) {
        this.sys = sys;
        this.filter = filter;
        this.contents = new EntryComparison(sys);
    }

    /**
     * The changes in {@code upper} against {@code lower}, sorted by path.
     *
     * @param upper host path of the current boot's upper directory
     * @param lower host path of the lower (blank) root
     */
    public static List<Change> of(Syscalls sys, String upper, String lower, Filter filter) throws IOException {
        UpperDiff diff = new UpperDiff(sys, filter);
        try (Descriptor upperFd = sys.open(Flags.AT_FDCWD, bytes(upper), DIRECTORY, 0);
             Descriptor lowerFd = sys.open(Flags.AT_FDCWD, bytes(lower), DIRECTORY, 0)) {
            Stat top = sys.statx(upperFd.value(), bytes(""), Flags.AT_EMPTY_PATH);
            diff.walk(upperFd.value(), lowerFd.value(), AbsolutePath.ROOT, top.device());
        }
        diff.changes.sort(Comparator.comparing(Change::path));
        return List.copyOf(diff.changes);
    }

    /** @param lowerFd the lower directory at the same path, or -1 if there is none (all below is new) */
    private void walk(int upperFd, int lowerFd, AbsolutePath dir, long device) throws IOException {
        for (Syscalls.DirEntry child : sys.listDirectory(upperFd)) {
            AbsolutePath path = dir.resolve(child.text());
            if (filter.excludes(path)) {
                continue;
            }
            Stat stat = sys.statx(upperFd, child.name(), 0);
            Stat lowerStat = lowerFd < 0 ? null : lowerStat(lowerFd, child.name());
            if (stat.type() == FileType.S_IFCHR && stat.rdev() == 0) {
                if (lowerStat != null) {  // a whiteout over nothing hides nothing
                    changes.add(new Change(path, Change.Kind.DELETED, Change.What.DELETED, 0, lowerStat.isDirectory()));
                }
                continue;
            }
            if (!stat.isDirectory()) {
                report(upperFd, lowerFd, child.name(), path, stat, lowerStat);
                continue;
            }
            if (stat.device() != device) {
                // Another filesystem mounted inside the upper: its mount point is the boot's, its contents are not.
                if (lowerStat == null) {
                    changes.add(new Change(path, Change.Kind.ADDED, Change.What.ADDED, 0, true));
                }
                continue;
            }
            try (Descriptor opened = sys.open(upperFd, child.name(), DIRECTORY, 0)) {
                int childFd = opened.value();
                boolean opaque = isOpaque(childFd);
                if (lowerStat == null) {
                    changes.add(new Change(path, Change.Kind.ADDED, Change.What.ADDED, 0, true));
                } else if (!lowerStat.isDirectory()) {
                    changes.add(new Change(path, Change.Kind.MODIFIED, Change.What.TYPE_CHANGED, 0, true));
                } else if (opaque) {
                    changes.add(new Change(path, Change.Kind.MODIFIED, Change.What.REPLACED, 0, true));
                } else if (!sameMetadata(stat, lowerStat)) {
                    changes.add(new Change(path, Change.Kind.MODIFIED, Change.What.METADATA, 0, true));
                }
                boolean lowerContinues = lowerStat != null && lowerStat.isDirectory() && !opaque;
                // A null resource is never closed: no lower directory, nothing to close.
                try (Descriptor lowerChild = lowerContinues ? sys.open(lowerFd, child.name(), DIRECTORY, 0) : null) {
                    walk(childFd, lowerChild == null ? -1 : lowerChild.value(), path, device);
                }
            }
        }
    }

    private void report(int upperFd, int lowerFd, byte[] name, AbsolutePath path, Stat stat, Stat lowerStat)
            throws IOException {
        long size = stat.isDirectory() ? 0 : stat.size();
        if (lowerStat == null) {
            changes.add(new Change(path, Change.Kind.ADDED, Change.What.ADDED, size, false));
        } else if (lowerStat.type() != stat.type()) {
            changes.add(new Change(path, Change.Kind.MODIFIED, Change.What.TYPE_CHANGED, size, false));
        } else if (!contents.same(upperFd, lowerFd, name, stat, lowerStat)) {
            changes.add(new Change(path, Change.Kind.MODIFIED, Change.What.MODIFIED, size, false));
        } else {
            // Same content: owner, mode, times or links changed (overlayfs copied the file up for that).
            changes.add(new Change(path, Change.Kind.MODIFIED, Change.What.METADATA, size, false));
        }
    }

    private Stat lowerStat(int lowerFd, byte[] name) throws ErrnoException {
        try {
            return sys.statx(lowerFd, name, 0);
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT) || e.is(Errno.ENOTDIR)) {
                return null;
            }
            throw e;
        }
    }

    private static boolean sameMetadata(Stat a, Stat b) {
        return a.permissions() == b.permissions() && a.uid() == b.uid() && a.gid() == b.gid();
    }

    private boolean isOpaque(int dirFd) throws ErrnoException {
        for (byte[] name : sys.flistxattr(dirFd)) {
            if (Arrays.equals(name, OPAQUE)) {
                byte[] value = sys.fgetxattr(dirFd, OPAQUE);
                return new String(value, StandardCharsets.UTF_8).equals("y");
            }
        }
        return false;
    }
}
