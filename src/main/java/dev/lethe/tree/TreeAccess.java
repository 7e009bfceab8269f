package dev.lethe.tree;

import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The fd-relative, never-following way the copier, verifier and remover look at a tree. Every
 * entry is looked up by name in an open directory (never by a path with several components), with
 * O_NOFOLLOW, and checked after opening to be the inode the lookup saw: a name swapped for a
 * symlink or another file in between is an error, not something to follow. Failing system calls
 * are rethrown naming the path relative to the tree's root.
 */
final class TreeAccess {

    static final byte[] EMPTY_PATH = new byte[0];
    static final byte[] DOT = {'.'};

    static final long DIRECTORY_FLAGS = Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC;
    /** O_NONBLOCK and O_NOCTTY: if the name turns out to be a fifo or a terminal, opening it neither blocks nor adopts it. */
    static final long FILE_FLAGS = Flags.O_RDONLY | Flags.O_NOFOLLOW | Flags.O_NOCTTY | Flags.O_NONBLOCK | Flags.O_CLOEXEC;

    private final Syscalls sys;

    TreeAccess(Syscalls sys) {
        this.sys = java.util.Objects.requireNonNull(sys, "sys");
    }

    Syscalls sys() {
        return sys;
    }

    /** A system call whose failure should name a tree path. */
    interface Call<T> {
        T run() throws ErrnoException;
    }

    interface VoidCall {
        void run() throws ErrnoException;
    }

    static <T> T at(RelativePath path, Call<T> call) throws ErrnoException {
        try {
            return call.run();
        } catch (ErrnoException e) {
            throw e.withPath(path.toString());
        }
    }

    static void run(RelativePath path, VoidCall call) throws ErrnoException {
        try {
            call.run();
        } catch (ErrnoException e) {
            throw e.withPath(path.toString());
        }
    }

    /** An open descriptor and what statx says about it. */
    record Opened(Descriptor descriptor, Stat stat) implements AutoCloseable {
        int fd() {
            return descriptor.value();
        }

        @Override
        public void close() {
            descriptor.close();
        }
    }

    /** statx of a name in a directory, not following it if it is a symlink. */
    Stat lstat(int dirFd, byte[] name, RelativePath path) throws ErrnoException {
        return at(path, () -> sys.statx(dirFd, name, Flags.AT_SYMLINK_NOFOLLOW));
    }

    Stat fstat(int fd, RelativePath path) throws ErrnoException {
        return at(path, () -> sys.statx(fd, EMPTY_PATH, Flags.AT_EMPTY_PATH));
    }

    /** Opens a directory entry that {@code expected} said is a directory. */
    Opened openDirectory(int dirFd, byte[] name, Stat expected, RelativePath path) throws IOException {
        return open(dirFd, name, DIRECTORY_FLAGS, expected, path);
    }

    /** Opens a directory entry that {@code expected} said is a regular file, for reading. */
    Opened openRegularFile(int dirFd, byte[] name, Stat expected, RelativePath path) throws IOException {
        return open(dirFd, name, FILE_FLAGS, expected, path);
    }

    private Opened open(int dirFd, byte[] name, long flags, Stat expected, RelativePath path) throws IOException {
        Descriptor fd = at(path, () -> sys.open(dirFd, name, flags, 0));
        try {
            Stat stat = fstat(fd.value(), path);
            if (stat.type() != expected.type() || !stat.sameFileAs(expected)) {
                throw new IOException(path + ": changed while being read (it was replaced by another "
                        + stat.typeWord() + " between looking it up and opening it); run again when it is quiet");
            }
            return new Opened(fd, stat);
        } catch (IOException | RuntimeException e) {
            fd.close();  // only on failure: an Opened is the caller's to close
            throw e;
        }
    }

    /**
     * A readable descriptor of the directory {@code dirFd} itself: callers may hand over O_PATH
     * descriptors, which getdents64 and fsync refuse. "." is never a symlink.
     */
    Descriptor reopenDirectory(int dirFd, RelativePath path) throws ErrnoException {
        return at(path, () -> sys.open(dirFd, DOT, DIRECTORY_FLAGS, 0));
    }

    /** fsync of a directory given by any descriptor, so entries created or removed in it are durable. */
    void syncDirectory(int dirFd, RelativePath path) throws ErrnoException {
        try (Descriptor fd = at(path, () -> sys.open(dirFd, DOT, DIRECTORY_FLAGS, 0))) {
            run(path, () -> sys.fsync(fd.value()));
        }
    }

    /** The names in a directory, sorted by their bytes, so two trees are walked in the same order. */
    List<byte[]> sortedNames(int dirFd, RelativePath path) throws ErrnoException {
        List<byte[]> names = new ArrayList<>();
        for (Syscalls.DirEntry entry : at(path, () -> sys.listDirectory(dirFd))) {
            names.add(entry.name());
        }
        names.sort(Arrays::compareUnsigned);
        return Collections.unmodifiableList(names);
    }

    /**
     * Refuses an entry below the root that lives on another filesystem: a mount point, a
     * bind-mounted file, or a nested btrfs subvolume (another st_dev). Descending there would copy,
     * compare or delete data that belongs to another filesystem, and a bind mount of an ancestor
     * would make the walk endless.
     */
    static void requireSameFilesystem(Stat entry, Stat root, RelativePath path, String doing) throws IOException {
        if (entry.mountRoot() || entry.device() != root.device()) {
            throw new IOException(path + " is a mount point or on another filesystem than the rest of the tree; "
                    + "lethe does not " + doing + " through nested mounts or subvolumes: unmount it or move it out of the tree first");
        }
    }

    /** All extended attributes of an open file, by name; empty where the filesystem has none. */
    SortedMap<byte[], byte[]> xattrs(int fd, RelativePath path) throws ErrnoException {
        SortedMap<byte[], byte[]> attributes = new TreeMap<>(Arrays::compareUnsigned);
        List<byte[]> names;
        try {
            names = sys.flistxattr(fd);
        } catch (ErrnoException e) {
            if (e.is(Errno.EOPNOTSUPP)) {
                return attributes;
            }
            throw e.withPath(path.toString());
        }
        for (byte[] name : names) {
            try {
                attributes.put(name, sys.fgetxattr(fd, name));
            } catch (ErrnoException e) {
                // Listed, then removed before it could be read: it is no longer there to preserve.
                if (!e.is(Errno.ENODATA)) {
                    throw e.withPath(path + " (attribute " + RelativePath.display(name) + ")");
                }
            }
        }
        return attributes;
    }

    /** Key of an inode for hard-link bookkeeping. */
    record InodeKey(long device, long inode) {
        static InodeKey of(Stat stat) {
            return new InodeKey(stat.device(), stat.inode());
        }
    }

    /** A single directory entry name: not empty, no '/', no NUL, not "." or "..". */
    static byte[] requireName(byte[] name, String what) {
        java.util.Objects.requireNonNull(name, what);
        boolean dots = (name.length == 1 && name[0] == '.') || (name.length == 2 && name[0] == '.' && name[1] == '.');
        if (name.length == 0 || dots) {
            throw new IllegalArgumentException(what + " must be one file name, not \"" + RelativePath.display(name) + "\"");
        }
        for (byte b : name) {
            if (b == '/' || b == 0) {
                throw new IllegalArgumentException(what + " must be one file name, not \"" + RelativePath.display(name) + "\"");
            }
        }
        return name.clone();
    }
}
