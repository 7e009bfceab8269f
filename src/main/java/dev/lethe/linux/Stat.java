package dev.lethe.linux;

/**
 * What statx(2) says about one path. {@code type} is one of the S_IF* constants in {@link FileType}.
 *
 * @param mountRoot true when the path is the root of a mount (STATX_ATTR_MOUNT_ROOT)
 * @param flags     the inode flags statx reports and the filesystem supports ({@code chattr}:
 *                  STATX_ATTR_COMPRESSED, _IMMUTABLE, _APPEND, _NODUMP), other attributes left out
 */
public record Stat(
        int type,
        int permissions,
        int uid,
        int gid,
        long size,
        long blocks,
        long inode,
        int nlink,
        long device,
        long rdev,
        long mountId,
        boolean mountRoot,
        long atimeSec,
        int atimeNsec,
        long mtimeSec,
        int mtimeNsec,
        long ctimeSec,
        int ctimeNsec,
        long flags) {

    /**
     * glibc's {@code gnu_dev_makedev}: a device number from its major and minor, as st_dev holds it,
     * so statx's two halves and /proc/self/mountinfo's "major:minor" compare alike. The halves are
     * unsigned 32-bit values.
     */
    public static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    /** glibc's {@code gnu_dev_major}: the inverse of {@link #makedev} for the major half. */
    public static long major(long device) {
        return ((device >>> 8) & 0xfffL) | ((device >>> 32) & 0xfffff000L);
    }

    /** glibc's {@code gnu_dev_minor}: the inverse of {@link #makedev} for the minor half. */
    public static long minor(long device) {
        return (device & 0xffL) | ((device >>> 12) & 0xffffff00L);
    }

    public boolean isDirectory() {
        return type == FileType.S_IFDIR;
    }

    public boolean isRegularFile() {
        return type == FileType.S_IFREG;
    }

    public boolean isSymlink() {
        return type == FileType.S_IFLNK;
    }

    /** Same inode on the same filesystem. */
    public boolean sameFileAs(Stat other) {
        return inode == other.inode && device == other.device;
    }

    public String typeWord() {
        return FileType.word(type);
    }
}
