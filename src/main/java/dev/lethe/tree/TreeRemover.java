package dev.lethe.tree;

import static dev.lethe.tree.TreeAccess.run;

import dev.lethe.tree.TreeAccess.Opened;
import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import java.io.IOException;

/**
 * Deletes a tree through descriptors, never following a symlink (a symlink is unlinked, not the
 * thing it points to) and never crossing into another filesystem: the whole tree is first checked
 * for mount points, bind-mounted files and nested subvolumes, and if there is one nothing at all is
 * deleted. The check is repeated while deleting, in case something was mounted in between.
 */
public final class TreeRemover {

    private TreeRemover() {}

    /**
     * Empties the directory {@code dirFd} (any descriptor of it, O_PATH included) and keeps the
     * directory itself, which may be a mount root.
     */
    public static void removeContents(Syscalls sys, int dirFd) throws IOException {
        TreeAccess fs = new TreeAccess(sys);
        try (Descriptor reopened = fs.reopenDirectory(dirFd, RelativePath.ROOT)) {
            int dir = reopened.value();
            Stat root = fs.fstat(dir, RelativePath.ROOT);
            checkContents(fs, dir, root, RelativePath.ROOT);
            removeContents(fs, dir, root, RelativePath.ROOT);
            run(RelativePath.ROOT, () -> sys.fsync(dir));
        }
    }

    /** Removes the entry {@code name} in {@code parentFd}: a file, a symlink, or a directory with everything in it. */
    public static void remove(Syscalls sys, int parentFd, byte[] name) throws IOException {
        byte[] entry = TreeAccess.requireName(name, "name");
        TreeAccess fs = new TreeAccess(sys);
        RelativePath root = RelativePath.ROOT;
        Stat stat = fs.lstat(parentFd, entry, root);
        if (stat.mountRoot()) {
            // Emptying a mount point would delete the mounted filesystem's data, and the final rmdir would fail anyway.
            throw new IOException(RelativePath.display(entry) + " is a mount point; lethe does not remove "
                    + "data on another filesystem: unmount it first");
        }
        if (stat.isDirectory()) {
            try (Opened dir = fs.openDirectory(parentFd, entry, stat, root)) {
                checkContents(fs, dir.fd(), dir.stat(), root);
                removeContents(fs, dir.fd(), dir.stat(), root);
            }
            run(root, () -> sys.unlinkat(parentFd, entry, Flags.AT_REMOVEDIR));
        } else {
            run(root, () -> sys.unlinkat(parentFd, entry, 0));
        }
        fs.syncDirectory(parentFd, root);
    }

    /** The dry pass: every directory is opened, nothing is changed. */
    private static void checkContents(TreeAccess fs, int dirFd, Stat root, RelativePath path) throws IOException {
        for (byte[] name : fs.sortedNames(dirFd, path)) {
            RelativePath child = path.child(name);
            Stat stat = fs.lstat(dirFd, name, child);
            TreeAccess.requireSameFilesystem(stat, root, child, "remove");
            if (stat.isDirectory()) {
                try (Opened dir = fs.openDirectory(dirFd, name, stat, child)) {
                    checkContents(fs, dir.fd(), root, child);
                }
            }
        }
    }

    private static void removeContents(TreeAccess fs, int dirFd, Stat root, RelativePath path) throws IOException {
        Syscalls sys = fs.sys();
        for (byte[] name : fs.sortedNames(dirFd, path)) {
            RelativePath child = path.child(name);
            Stat stat = fs.lstat(dirFd, name, child);
            TreeAccess.requireSameFilesystem(stat, root, child, "remove");
            if (stat.isDirectory()) {
                try (Opened dir = fs.openDirectory(dirFd, name, stat, child)) {
                    removeContents(fs, dir.fd(), root, child);
                }
                run(child, () -> sys.unlinkat(dirFd, name, Flags.AT_REMOVEDIR));
            } else {
                run(child, () -> sys.unlinkat(dirFd, name, 0));
            }
        }
    }
}
