package dev.lethe.root.overlay;

import static dev.lethe.linux.Syscalls.bytes;

import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.FileType;
import dev.lethe.linux.Flags;
import dev.lethe.linux.MountInfo;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.root.RootException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * What the overlay strategy refuses before it touches anything (the config itself, upper's characters
 * included, was checked when it was read): an upper in or around a store (archives are pruned, and
 * lethe never deletes data in a store), missing, not a directory or reached through a symlink (lethe
 * does not create it: were its filesystem not mounted, it would land on the root or in RAM), on tmpfs
 * or ramfs, on an overlay or on the lower root's own filesystem; a root path the overlay option syntax
 * cannot carry; a missing lower root or device; a {@code boots} or {@code current} lethe did not make.
 */
final class OverlayCheck {

    /** Filesystems that forget at power-off: an upper there archives nothing. */
    private static final Set<String> IN_MEMORY = Set.of("tmpfs", "ramfs");

    private final Upper upper;
    private final Syscalls sys;

    OverlayCheck(Upper upper) {
        this.upper = upper;
        this.sys = upper.context().sys();
    }

    /** Throws {@link RootException} naming the first problem; changes nothing. */
    void check() throws IOException {
        AbsolutePath configured = upper.configured();
        for (AbsolutePath store : upper.context().stores()) {
            if (configured.startsWith(store)) {
                throw upper.refuse("upper " + configured + " is inside the store " + store + ": overlay archives are "
                        + "pruned, and lethe never deletes data in a store. Put upper on a persistent filesystem outside "
                        + "every store, such as a separate mount at /overlay");
            }
            if (store.startsWith(configured)) {
                throw upper.refuse("upper " + configured + " contains the store " + store + ": overlay archives are "
                        + "pruned, and lethe never deletes data in a store. Put upper beside the store, not above it");
            }
        }
        Path lower = upper.context().root();
        Path host = upper.host();
        // upper itself was checked when the config was read (config.RootRules); the root comes from the command line.
        requireOptionSafe("the root", lower.toString());
        if (!Files.isDirectory(lower, LinkOption.NOFOLLOW_LINKS)) {
            throw upper.refuse("the lower root " + lower + " does not exist or is not a directory");
        }
        if (upper.config().device().isPresent()) {
            requireBlockDevice(upper.config().device().get());
        }
        try (Layout layout = Layout.open(upper)) {
            Stat stat = fstat(layout.upperFd, host.toString());
            String type = filesystemType(stat);
            if (IN_MEMORY.contains(type)) {
                throw upper.refuse("upper " + host + " is on " + type + ", which forgets everything at power-off: "
                        + "the archives of old roots would be lost. Put upper on a disk filesystem (ext4, xfs, btrfs)");
            }
            if (type.equals("overlay")) {
                throw upper.refuse("upper " + host + " is on an overlay filesystem (the overlay root itself?): "
                        + "what is written there is forgotten at the next boot. Put upper on its own disk filesystem");
            }
            if (stat.device() == statPath(lower).device()) {
                throw upper.refuse("upper " + host + " is on the same filesystem as the lower root " + lower
                        + ": the lower must stay unchanged while the overlay is mounted. Put upper on a separate "
                        + "filesystem mounted there");
            }
            layout.readState();  // a boots or current that lethe did not make is refused here too
        }
    }

    /** overlayfs splits its options at "," and layers at ":"; a "\" escapes. Paths with them would be misread. */
    private void requireOptionSafe(String what, String hostPath) throws RootException {
        for (char c : new char[] {',', ':', '\\'}) {
            if (hostPath.indexOf(c) >= 0) {
                throw upper.refuse(what + " " + hostPath + " contains '" + c + "', which overlay mount options cannot "
                        + "carry: choose a path without , : or \\");
            }
        }
    }

    private void requireBlockDevice(String device) throws IOException {
        Path path = Path.of(device);
        if (!Files.exists(path)) {
            throw upper.refuse("device " + device + " does not exist: is the disk attached and its label or UUID right?");
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode");  // follows /dev/disk/by-* links, as mount does
        if ((mode & FileType.S_IFMT) != FileType.S_IFBLK) {
            throw upper.refuse("device " + device + " is not a block device");
        }
    }

    /** The filesystem type of the mount that holds {@code stat}, from the mount table. */
    private String filesystemType(Stat stat) throws IOException {
        for (MountInfo.Mount mount : MountInfo.read().mounts()) {
            if (mount.id() == stat.mountId()) {
                return mount.fsType();
            }
        }
        throw upper.refuse("cannot find the mount of upper " + upper.host() + " in /proc/self/mountinfo");
    }

    private Stat statPath(Path path) throws IOException {
        try {
            return sys.statx(Flags.AT_FDCWD, bytes(path.toString()), 0);
        } catch (ErrnoException e) {
            throw e.withPath(path.toString());
        }
    }

    private Stat fstat(int fd, String shown) throws ErrnoException {
        try {
            return sys.statx(fd, new byte[0], Flags.AT_EMPTY_PATH);
        } catch (ErrnoException e) {
            throw e.withPath(shown);
        }
    }
}
