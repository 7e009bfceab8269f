package dev.lethe.linux;

/** File type bits of st_mode (sys/stat.h). */
public final class FileType {
    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFIFO = 0010000;

    private FileType() {}

    public static String word(int type) {
        return switch (type) {
            case S_IFDIR -> "directory";
            case S_IFREG -> "file";
            case S_IFLNK -> "symbolic link";
            case S_IFBLK -> "block device";
            case S_IFCHR -> "character device";
            case S_IFIFO -> "fifo";
            case S_IFSOCK -> "socket";
            default -> "unknown file type";
        };
    }
}
