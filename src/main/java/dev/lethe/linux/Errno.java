package dev.lethe.linux;

/** errno values (asm-generic/errno-base.h and errno.h; identical on x86_64 and aarch64). */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int EMLINK = 31;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int ELOOP = 40;
    public static final int ENODATA = 61;
    public static final int EOVERFLOW = 75;
    public static final int EOPNOTSUPP = 95;

    private Errno() {}

    public static String describe(int errno) {
        String name = switch (errno) {
            case EPERM -> "EPERM, operation not permitted";
            case ENOENT -> "ENOENT, no such file or directory";
            case EINTR -> "EINTR, interrupted";
            case EIO -> "EIO, input/output error";
            case ENXIO -> "ENXIO, no such device or address";
            case EBADF -> "EBADF, bad file descriptor";
            case EAGAIN -> "EAGAIN, try again";
            case EACCES -> "EACCES, permission denied";
            case EOVERFLOW -> "EOVERFLOW, value too large for the buffer";
            case EBUSY -> "EBUSY, busy";
            case EEXIST -> "EEXIST, already exists";
            case EXDEV -> "EXDEV, crosses a filesystem or mount boundary";
            case ENOTDIR -> "ENOTDIR, not a directory";
            case EISDIR -> "EISDIR, is a directory";
            case EINVAL -> "EINVAL, invalid argument";
            case ENOSPC -> "ENOSPC, no space left on device";
            case EROFS -> "EROFS, read-only filesystem";
            case EMLINK -> "EMLINK, too many links";
            case ERANGE -> "ERANGE, result too large";
            case ENAMETOOLONG -> "ENAMETOOLONG, name too long (a path component may have 255 bytes)";
            case ENOSYS -> "ENOSYS, not supported by this kernel";
            case ENOTEMPTY -> "ENOTEMPTY, directory not empty";
            case ELOOP -> "ELOOP, a symbolic link is in the way";
            case ENODATA -> "ENODATA, no such attribute";
            case EOPNOTSUPP -> "EOPNOTSUPP, not supported";
            default -> "errno " + errno;
        };
        return name;
    }
}
