package dev.lethe.linux;

/**
 * Flag values for the calls in {@link Syscalls}. Most are the same on every Linux architecture; the
 * open(2) flags O_DIRECTORY and O_NOFOLLOW are not (asm-generic/fcntl.h vs arch/arm64), so they
 * are chosen for the running architecture. Pinned against the C headers by a test.
 */
public final class Flags {
    private Flags() {}

    private static final boolean ARM64 = "aarch64".equals(System.getProperty("os.arch"));

    // fcntl.h
    public static final long O_RDONLY = 0;
    public static final long O_WRONLY = 01;
    public static final long O_RDWR = 02;
    public static final long O_CREAT = 0100;
    public static final long O_EXCL = 0200;
    public static final long O_NOCTTY = 0400;
    public static final long O_TRUNC = 01000;
    public static final long O_NONBLOCK = 04000;
    public static final long O_DIRECTORY = ARM64 ? 040000 : 0200000;
    public static final long O_NOFOLLOW = ARM64 ? 0100000 : 0400000;
    public static final long O_CLOEXEC = 02000000;
    public static final long O_NOATIME = 01000000;
    public static final long O_PATH = 010000000;

    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_REMOVEDIR = 0x200;
    public static final int AT_EMPTY_PATH = 0x1000;
    public static final int AT_RECURSIVE = 0x8000;

    // linux/openat2.h
    public static final long RESOLVE_NO_XDEV = 0x01;
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    public static final long RESOLVE_BENEATH = 0x08;

    // linux/fs.h
    public static final int RENAME_NOREPLACE = 1;
    public static final int RENAME_EXCHANGE = 2;

    // linux/mount.h
    public static final int OPEN_TREE_CLONE = 1;
    public static final int OPEN_TREE_CLOEXEC = (int) O_CLOEXEC;
    public static final int MOVE_MOUNT_F_EMPTY_PATH = 0x04;
    public static final int MOVE_MOUNT_T_EMPTY_PATH = 0x40;
    public static final int MNT_DETACH = 2;
    public static final int FSOPEN_CLOEXEC = 1;
    public static final int FSMOUNT_CLOEXEC = 1;
    /** fsconfig(2) commands: an enum in the headers, pinned through an expression. */
    public static final int FSCONFIG_SET_FLAG = 0;
    public static final int FSCONFIG_SET_STRING = 1;
    public static final int FSCONFIG_CMD_CREATE = 6;
    public static final int MOUNT_ATTR_RDONLY = 0x1;
    public static final int MOUNT_ATTR_NOATIME = 0x10;
    public static final int UMOUNT_NOFOLLOW = 8;

    // linux/btrfs.h (the same on x86_64 and aarch64: _IO/_IOR/_IOWR are generic there)
    /** {@code _IO(0x94, 8)}: commits the running transaction. */
    public static final long BTRFS_IOC_SYNC = 0x9408L;
    /** {@code _IOWR(0x94, 17, struct btrfs_ioctl_search_args_v2)}: the key is 104 bytes, then buf_size. */
    public static final long BTRFS_IOC_TREE_SEARCH_V2 = 0xC0709411L;
    /** {@code _IOR(0x94, 60, struct btrfs_ioctl_get_subvol_info_args)}. */
    public static final long BTRFS_IOC_GET_SUBVOL_INFO = 0x81F8943CL;
    /** linux/btrfs_tree.h: the root item's flag that the get_subvol_info flags carry for a read-only subvolume. */
    public static final long BTRFS_ROOT_SUBVOL_RDONLY = 1;

    // unistd.h
    public static final int SEEK_SET = 0;
    public static final int SEEK_DATA = 3;
    public static final int SEEK_HOLE = 4;

    public static final int SIGKILL = 9;

    // sys/file.h
    public static final int LOCK_EX = 2;
    public static final int LOCK_NB = 4;

    // linux/stat.h
    public static final int STATX_BASIC_STATS = 0x7ff;
    public static final int STATX_MNT_ID = 0x1000;
    public static final long STATX_ATTR_MOUNT_ROOT = 0x2000;
    public static final long STATX_ATTR_COMPRESSED = 0x4;
    public static final long STATX_ATTR_IMMUTABLE = 0x10;
    public static final long STATX_ATTR_APPEND = 0x20;
    public static final long STATX_ATTR_NODUMP = 0x40;

    /** dirent d_type values. */
    public static final int DT_UNKNOWN = 0;
    public static final int DT_DIR = 4;
    public static final int DT_REG = 8;
    public static final int DT_LNK = 10;
}
