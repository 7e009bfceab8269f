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
