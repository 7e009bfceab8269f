package dev.lethe.linux;

/**
 * The C-shaped port to the Linux system calls lethe makes. Each method is documented by its C
 * prototype and behaves like it, except that failure throws {@link ErrnoException} naming the
 * call and the path instead of returning -1. Path and name arguments are raw bytes (file names on
 * Linux are bytes, not text); callers encode with {@link #bytes(String)}.
 *
 * <p>Only {@code dev.lethe.linux.ffm} implements this; everything else goes through {@link Fs}.
 */
public interface Syscalls {

    /** {@code int openat2(int dirfd, const char *path, struct open_how *how, size_t size)}. */
    int openat2(int dirfd, byte[] path, long flags, long mode, long resolve) throws ErrnoException;

    /** {@code int openat(int dirfd, const char *path, int flags, mode_t mode)}. */
    int openat(int dirfd, byte[] path, long flags, long mode) throws ErrnoException;

    /** {@link #openat}, as a {@link Descriptor} for try-with-resources. */
    default Descriptor open(int dirfd, byte[] path, long flags, long mode) throws ErrnoException {
        return new Descriptor(this, openat(dirfd, path, flags, mode));
    }

    /** {@link #openat2}, as a {@link Descriptor} for try-with-resources. */
    default Descriptor open2(int dirfd, byte[] path, long flags, long mode, long resolve) throws ErrnoException {
        return new Descriptor(this, openat2(dirfd, path, flags, mode, resolve));
    }

    /** {@code int close(int fd)}; errors are ignored, as nothing can be done about them. */
    void close(int fd);

    /** {@code int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *buf)}. */
    Stat statx(int dirfd, byte[] path, int flags) throws ErrnoException;

    /** {@code int mkdirat(int dirfd, const char *path, mode_t mode)}. */
    void mkdirat(int dirfd, byte[] name, int mode) throws ErrnoException;

    /** {@code int mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)}. */
    void mknodat(int dirfd, byte[] name, int mode, long dev) throws ErrnoException;

    /** {@code int fchownat(int dirfd, const char *path, uid_t owner, gid_t group, int flags)}. */
    void fchownat(int dirfd, byte[] path, int uid, int gid, int flags) throws ErrnoException;

    /** {@code int fchmod(int fd, mode_t mode)}; needs an fd opened for reading or writing, not O_PATH. */
    void fchmod(int fd, int mode) throws ErrnoException;

    /** {@code int fchmodat(int dirfd, const char *path, mode_t mode, int flags)}. */
    void fchmodat(int dirfd, byte[] path, int mode, int flags) throws ErrnoException;

    /** {@code int renameat2(int olddirfd, const char *old, int newdirfd, const char *new, unsigned flags)}. */
    void renameat2(int oldDirFd, byte[] oldName, int newDirFd, byte[] newName, int flags) throws ErrnoException;

    /** {@code int unlinkat(int dirfd, const char *path, int flags)}. */
    void unlinkat(int dirfd, byte[] name, int flags) throws ErrnoException;

    /** {@code int linkat(int olddirfd, const char *old, int newdirfd, const char *new, int flags)}. */
    void linkat(int oldDirFd, byte[] oldName, int newDirFd, byte[] newName, int flags) throws ErrnoException;

    /** {@code int symlinkat(const char *target, int dirfd, const char *linkpath)}. */
    void symlinkat(byte[] target, int dirfd, byte[] name) throws ErrnoException;

    /** {@code ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t size)}. */
    byte[] readlinkat(int dirfd, byte[] name) throws ErrnoException;

    /** {@code ssize_t getdents64(int fd, void *dirp, size_t count)} from offset 0 to the end; "." and ".." left out. */
    java.util.List<DirEntry> listDirectory(int dirFd) throws ErrnoException;

    /** {@code getdents64} from offset 0 until a name other than "." and ".." appears: true if one does. */
    boolean hasEntries(int dirFd) throws ErrnoException;

    /**
     * {@link #hasEntries} for a directory descriptor opened just now and never read, whose offset is
     * therefore 0: the rewind (an {@code lseek}) is left out. The same check, one system call fewer;
     * a descriptor read before (the second check of a mount) must use {@link #hasEntries}.
     */
    default boolean hasEntriesJustOpened(int freshDirFd) throws ErrnoException {
        return hasEntries(freshDirFd);
    }

    /**
     * {@code ssize_t pread(int fd, void *buf, size_t count, off_t offset)} into
     * {@code buf[bufOffset..bufOffset+length)}; 0 at end of file. The buffer offset lets a short read
     * be continued in place.
     */
    int pread(int fd, byte[] buf, int bufOffset, int length, long offset) throws ErrnoException;

    /** {@link #pread(int, byte[], int, int, long)} into the start of {@code buf}. */
    default int pread(int fd, byte[] buf, int length, long offset) throws ErrnoException {
        return pread(fd, buf, 0, length, offset);
    }

    /** {@code ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)}, looping until all is written. */
    void pwriteFully(int fd, byte[] buf, int length, long offset) throws ErrnoException;

    /** {@code off_t lseek(int fd, off_t offset, int whence)}; returns -1 for ENXIO (no more data or holes). */
    long lseek(int fd, long offset, int whence) throws ErrnoException;

    /** {@code int ftruncate(int fd, off_t length)}. */
    void ftruncate(int fd, long length) throws ErrnoException;

    /** {@code int fsync(int fd)}. */
    void fsync(int fd) throws ErrnoException;

    /** {@code ssize_t flistxattr(int fd, char *list, size_t size)}, split into names. */
    java.util.List<byte[]> flistxattr(int fd) throws ErrnoException;

    /** {@code ssize_t fgetxattr(int fd, const char *name, void *value, size_t size)}. */
    byte[] fgetxattr(int fd, byte[] name) throws ErrnoException;

    /** {@code int fsetxattr(int fd, const char *name, const void *value, size_t size, int flags)}. */
    void fsetxattr(int fd, byte[] name, byte[] value) throws ErrnoException;

    /** {@code int utimensat(int dirfd, const char *path, const struct timespec times[2], int flags)}. */
    void utimensat(int dirfd, byte[] path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec, int flags)
            throws ErrnoException;

    /** {@code int open_tree(int dirfd, const char *path, unsigned flags)}: a detached copy of a mount. */
    int openTree(int dirfd, byte[] path, int flags) throws ErrnoException;

    /** {@code int move_mount(int from_dirfd, const char *from, int to_dirfd, const char *to, unsigned flags)}. */
    void moveMount(int fromDirFd, byte[] fromPath, int toDirFd, byte[] toPath, int flags) throws ErrnoException;

    /** {@code int fsopen(const char *fsname, unsigned int flags)}: a context for a new mount of that filesystem type. */
    int fsopen(byte[] fsName, int flags) throws ErrnoException;

    /**
     * {@code int fsconfig(int fd, unsigned int cmd, const char *key, const void *value, int aux)}, with
     * a string value or none ({@code key} and {@code value} may be null).
     */
    void fsconfig(int fd, int cmd, byte[] key, byte[] value, int aux) throws ErrnoException;

    /** {@code int fsmount(int fd, unsigned int flags, unsigned int attr_flags)}: a detached mount, until move_mount. */
    int fsmount(int fd, int flags, int attrFlags) throws ErrnoException;

    /** {@code ioctl(fd, BTRFS_IOC_SYNC, NULL)}: commits the running transaction of the btrfs holding {@code fd}. */
    void btrfsSync(int fd) throws ErrnoException;

    /**
     * {@code ioctl(fd, BTRFS_IOC_GET_SUBVOL_INFO, &args)}: the subvolume holding {@code fd} (any file or
     * directory in it); needs no privilege.
     */
    SubvolumeInfo btrfsSubvolumeInfo(int fd) throws ErrnoException;

    /** {@code int umount2(const char *target, int flags)}. */
    void umount2(byte[] target, int flags) throws ErrnoException;

    /** {@code int flock(int fd, int operation)}. */
    void flock(int fd, int operation) throws ErrnoException;

    /**
     * {@code int ioctl(int fd, unsigned long request, void *arg)} with {@code arg} pointing at a copy
     * of {@code buffer[0..length)}, copied back afterwards (the requests lethe makes read and write
     * one struct, whose used part the caller knows).
     */
    int ioctl(int fd, long request, byte[] buffer, int length) throws ErrnoException;

    /** The UTF-8 bytes of a path written as text (config paths are text). */
    static byte[] bytes(String path) {
        return path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A name read from a directory: raw bytes, the d_type hint and the inode number (d_ino). */
    record DirEntry(byte[] name, int type, long inode) {
        public String text() {
            return new String(name, java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
