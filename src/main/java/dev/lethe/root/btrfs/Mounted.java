package dev.lethe.root.btrfs;

import dev.lethe.linux.Descriptor;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Syscalls;
import dev.lethe.root.RootException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A subvolume of the device mounted on a fresh directory under the scratch, for the length of one
 * operation: the top level (ID 5), where subvolumes are renamed, snapshotted and deleted, or an
 * archive opened read-only. {@link #close} unmounts it, so every use is a try-with-resources.
 */
final class Mounted implements AutoCloseable {

    /** Whether the operation may change the filesystem; a named value, not a boolean. */
    enum Access {
        READ_ONLY("ro"),
        READ_WRITE("rw");

        final String option;

        Access(String option) {
            this.option = option;
        }
    }

    static final long TOP_LEVEL = 5;

    final Path path;
    private final Syscalls sys;

    private Mounted(Path path, Syscalls sys) {
        this.path = path;
        this.sys = sys;
    }

    /**
     * Mounts subvolume {@code id} of {@code device} through the mount API (fsopen, fsconfig, fsmount,
     * move_mount), as mount(8) does, without a process. noatime: reading the registry or an archive
     * must not write to the filesystem. Read-only twice over: "ro" makes a superblock this mount
     * creates read-only (nothing replayed or cleaned up on a filesystem not mounted elsewhere), and
     * MOUNT_ATTR_RDONLY makes this mount read-only where the filesystem is mounted read-write already.
     */
    static Mounted subvolume(Syscalls sys, String device, long id, Access access, Path scratch) throws IOException {
        Path directory = Files.createTempDirectory(scratch, id == TOP_LEVEL ? "btrfs-top-" : "btrfs-archive-");
        try (Descriptor context = Descriptor.owning(sys, sys.fsopen(Syscalls.bytes("btrfs"), Flags.FSOPEN_CLOEXEC))) {
            int fd = context.value();
            sys.fsconfig(fd, Flags.FSCONFIG_SET_STRING, Syscalls.bytes("source"), Syscalls.bytes(device), 0);
            sys.fsconfig(fd, Flags.FSCONFIG_SET_STRING, Syscalls.bytes("subvolid"), Syscalls.bytes(Long.toString(id)), 0);
            if (access == Access.READ_ONLY) {
                sys.fsconfig(fd, Flags.FSCONFIG_SET_FLAG, Syscalls.bytes("ro"), null, 0);
            }
            sys.fsconfig(fd, Flags.FSCONFIG_CMD_CREATE, null, null, 0);
            int attributes = Flags.MOUNT_ATTR_NOATIME | (access == Access.READ_ONLY ? Flags.MOUNT_ATTR_RDONLY : 0);
            try (Descriptor mount = Descriptor.owning(sys, sys.fsmount(fd, Flags.FSMOUNT_CLOEXEC, attributes))) {
                sys.moveMount(mount.value(), new byte[0], Flags.AT_FDCWD, Syscalls.bytes(directory.toString()),
                        Flags.MOVE_MOUNT_F_EMPTY_PATH);
            }
        } catch (ErrnoException e) {
            Files.deleteIfExists(directory);
            throw new RootException("cannot mount subvolume " + id + " of " + device + " (" + access.option + ") on "
                    + directory + ": " + e.getMessage(), e);
        }
        return new Mounted(directory, sys);
    }

    /**
     * Commits the filesystem's running transaction (btrfs filesystem sync), so that what was written
     * through any mount is in the trees an ioctl searches.
     */
    void sync() throws ErrnoException {
        try (Descriptor top = sys.open(Flags.AT_FDCWD, Syscalls.bytes(path.toString()),
                Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0)) {
            sys.btrfsSync(top.value());
        }
    }

    Path resolve(String relative) {
        return path.resolve(relative);
    }

    @Override
    public void close() throws IOException {
        sys.umount2(Syscalls.bytes(path.toString()), Flags.UMOUNT_NOFOLLOW);
        Files.deleteIfExists(path);
    }
}
