package dev.lethe.linux.ffm;

/**
 * Where {@code BTRFS_IOC_GET_SUBVOL_INFO} puts each field of {@code struct
 * btrfs_ioctl_get_subvol_info_args} (linux/btrfs.h, the same on x86_64 and aarch64): byte offsets,
 * pinned by {@code dev.lethe.linux.ConstantsTest} against {@code offsetof} in the C headers.
 */
public final class SubvolInfoLayout {
    private SubvolInfoLayout() {}

    /** {@code sizeof(struct btrfs_ioctl_get_subvol_info_args)}: the buffer the ioctl fills. */
    public static final int SIZE = 504;

    public static final int TREEID = 0;
    /** {@code char name[BTRFS_VOL_NAME_MAX + 1]}, NUL-terminated. */
    public static final int NAME = 8;
    public static final int PARENT_ID = 264;
    public static final int DIRID = 272;
    public static final int GENERATION = 280;
    public static final int FLAGS = 288;
    /** Each UUID is 16 bytes (BTRFS_UUID_SIZE), in the order they are written out. */
    public static final int UUID = 296;
    public static final int PARENT_UUID = 312;
    public static final int RECEIVED_UUID = 328;
    public static final int CTRANSID = 344;
    public static final int OTRANSID = 352;
}
