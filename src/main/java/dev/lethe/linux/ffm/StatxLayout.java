package dev.lethe.linux.ffm;

/**
 * Where statx(2) puts each field of {@code struct statx} (linux/stat.h, the same on x86_64 and
 * aarch64): byte offsets in the buffer, pinned by {@code dev.lethe.linux.ConstantsTest} against
 * {@code offsetof} in the C headers. A name ending in _SEC or _NSEC is a member of that timestamp.
 */
public final class StatxLayout {
    private StatxLayout() {}

    /** {@code sizeof(struct statx)}: the buffer statx fills. */
    public static final int SIZE = 256;

    public static final int STX_ATTRIBUTES = 8;
    public static final int STX_NLINK = 16;
    public static final int STX_UID = 20;
    public static final int STX_GID = 24;
    public static final int STX_MODE = 28;
    public static final int STX_INO = 32;
    public static final int STX_SIZE = 40;
    public static final int STX_BLOCKS = 48;
    public static final int STX_ATTRIBUTES_MASK = 56;
    public static final int STX_ATIME_SEC = 64;
    public static final int STX_ATIME_NSEC = 72;
    public static final int STX_CTIME_SEC = 96;
    public static final int STX_CTIME_NSEC = 104;
    public static final int STX_MTIME_SEC = 112;
    public static final int STX_MTIME_NSEC = 120;
    public static final int STX_RDEV_MAJOR = 128;
    public static final int STX_RDEV_MINOR = 132;
    public static final int STX_DEV_MAJOR = 136;
    public static final int STX_DEV_MINOR = 140;
    public static final int STX_MNT_ID = 144;
}
