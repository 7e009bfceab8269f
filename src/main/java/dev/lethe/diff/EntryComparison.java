package dev.lethe.diff;

import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.FileComparison;
import dev.lethe.linux.FileType;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Whether two directory entries of the same name and type hold the same content and extended
 * attributes, read through descriptors; the bytes of regular files through {@link FileComparison}.
 */
final class EntryComparison {

    private static final long FILE = Flags.O_RDONLY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC | Flags.O_NONBLOCK;
    /** Reading must not write: no access time for the files compared (root may ask this of any file). */
    private static final long NO_ATIME = Flags.O_NOATIME;
    private final Syscalls sys;
    private final FileComparison bytes;

    EntryComparison(Syscalls sys) {
        this.sys = sys;
        this.bytes = new FileComparison(sys);
    }

    /**
     * True if {@code name} in {@code dirA} (examined as {@code a}) and in {@code dirB} (as {@code b}),
     * both of one type, hold the same bytes: a symbolic link's target, a device's number, a file's data.
     */
    boolean same(int dirA, int dirB, byte[] name, Stat a, Stat b) throws IOException {
        if (a.isSymlink()) {
            return Arrays.equals(sys.readlinkat(dirA, name), sys.readlinkat(dirB, name));
        }
        if (a.type() == FileType.S_IFCHR || a.type() == FileType.S_IFBLK) {
            return a.rdev() == b.rdev();
        }
        if (!a.isRegularFile()) {
            return true;  // fifos and sockets have no content
        }
        if (a.size() != b.size()) {
            return false;
        }
        try (Descriptor fdA = openForReading(sys, dirA, name); Descriptor fdB = openForReading(sys, dirB, name)) {
            return bytes.same(fdA.value(), fdB.value(), a.size());
        }
    }

    /**
     * True if {@code name} in both directories carries the same extended attributes (file
     * capabilities, ACLs, security labels): names and values. Only regular files and directories
     * are opened for it; for other types (a device must not be opened) it answers true.
     */
    boolean sameAttributes(int dirA, int dirB, byte[] name, Stat a) throws IOException {
        if (!a.isRegularFile() && !a.isDirectory()) {
            return true;
        }
        try (Descriptor fdA = openForReading(sys, dirA, name); Descriptor fdB = openForReading(sys, dirB, name)) {
            List<byte[]> namesA = attributeNames(fdA.value());
            List<byte[]> namesB = attributeNames(fdB.value());
            if (namesA.size() != namesB.size()) {
                return false;
            }
            for (int i = 0; i < namesA.size(); i++) {
                if (!Arrays.equals(namesA.get(i), namesB.get(i)) || !Arrays.equals(
                        sys.fgetxattr(fdA.value(), namesA.get(i)), sys.fgetxattr(fdB.value(), namesB.get(i)))) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The attribute names, sorted; none where the filesystem has no extended attributes (zfs-fuse). */
    private List<byte[]> attributeNames(int fd) throws ErrnoException {
        List<byte[]> names;
        try {
            names = new ArrayList<>(sys.flistxattr(fd));
        } catch (ErrnoException e) {
            if (e.is(Errno.EOPNOTSUPP)) {
                return List.of();
            }
            throw e;
        }
        names.sort(Arrays::compare);
        return names;
    }

    /**
     * A file opened for reading without following a link and without touching its access time
     * (reading must not write); without O_NOATIME where it is refused (EPERM: not the owner, no
     * CAP_FOWNER). Every diff reads files through this.
     */
    static Descriptor openForReading(Syscalls sys, int dir, byte[] name) throws ErrnoException {
        try {
            return sys.open(dir, name, FILE | NO_ATIME, 0);
        } catch (ErrnoException e) {
            if (!e.is(Errno.EPERM)) {
                throw e;
            }
            return sys.open(dir, name, FILE, 0);
        }
    }
}
