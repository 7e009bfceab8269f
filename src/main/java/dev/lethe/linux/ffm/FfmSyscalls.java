package dev.lethe.linux.ffm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Errno;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Stat;
import dev.lethe.linux.SubvolumeInfo;
import dev.lethe.linux.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@link Syscalls} through java.lang.foreign, the only class that touches native memory.
 *
 * <p>Every call goes to libc's {@code long syscall(long number, ...)} with six integer arguments:
 * through {@link JniSyscall}'s one C function when its library is there (the jlink'd runtime's), else
 * through one FFM downcall handle. Creating a downcall handle is the expensive part of the first
 * native call at JVM start-up, and its cost grows with the number of distinct handles; one handle for
 * all calls keeps it small, and JNI avoids it. Pointers are passed as their addresses, which is how
 * the kernel's system call ABI takes them anyway. errno is read per call on the calling thread (the
 * C function returns it; the downcall captures it), so calls from several threads do not race on it.
 */
public final class FfmSyscalls implements Syscalls {

    /** A UUID's 16 bytes are two big-endian halves, whatever the machine's byte order. */
    private static final ValueLayout.OfLong JAVA_LONG_BIG_ENDIAN = JAVA_LONG.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    /**
     * Room for the call state the FFM downcall captures (errno); checked against the linker's own
     * layout when the handle is built. Unused when the calls go through {@link JniSyscall}.
     */
    private static final long STATE_SIZE = 64;

    /**
     * The one downcall handle, for when {@link JniSyscall}'s library is absent, in a class of its
     * own: building it is the cost of the first native call (the linker spins its stub and method
     * handles), and a static method of the outer class, {@link #prepareInBackground()} included,
     * would build it on the caller's thread.
     */
    private static final class Downcall {
        static final MethodHandle SYSCALL;
        static final VarHandle ERRNO;

        static {
            Linker linker = Linker.nativeLinker();
            FunctionDescriptor signature = FunctionDescriptor.of(JAVA_LONG,
                    JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
            SYSCALL = linker.downcallHandle(
                    linker.defaultLookup().find("syscall").orElseThrow(),
                    signature,
                    Linker.Option.firstVariadicArg(1),
                    Linker.Option.captureCallState("errno"));
            MemoryLayout state = Linker.Option.captureStateLayout();
            ERRNO = state.varHandle(MemoryLayout.PathElement.groupElement("errno"));
            if (state.byteSize() > STATE_SIZE) {
                throw new IllegalStateException("the linker's call state takes " + state.byteSize() + " bytes, more than " + STATE_SIZE);
            }
        }

        private Downcall() {}
    }

    /** How the system calls are made in this JVM: "jni (PATH)" or "ffm". */
    public static String mechanism() {
        return JniSyscall.LIBRARY.map(library -> "jni (" + library + ")").orElse("ffm");
    }

    private final SyscallNumbers nr = SyscallNumbers.forRunningArchitecture();

    /**
     * Memory for the calls a walk makes per path or directory (statx, pread, getdents64), one set per
     * thread and kept for the thread's life: a confined arena per call (three mallocs and frees, the
     * buffer zeroed) cost more than the system call itself, and a fresh array or segment view per call
     * is garbage the heap must take in fresh pages (a walk of 200 000 paths allocated 300 MB, a sixth
     * of it these). Native layout: [0, 64) errno capture state, [64, 320) the statx buffer, then the
     * path, the data read or the directory records; with views of the first two made once, and the
     * array each statx buffer is copied into to be read.
     */
    private static final long SCRATCH_STATE = 0, SCRATCH_STATX = 64, SCRATCH_DATA = SCRATCH_STATX + StatxLayout.SIZE;
    private static final int LISTING_SIZE = 32 * 1024;

    private static final class Scratch {
        final MemorySegment memory = Arena.ofAuto().allocate(SCRATCH_DATA + (64 << 10), 64);
        final MemorySegment state = memory.asSlice(SCRATCH_STATE, STATE_SIZE);
        final MemorySegment statx = memory.asSlice(SCRATCH_STATX, StatxLayout.SIZE);
        final byte[] statxCopy = new byte[StatxLayout.SIZE];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Makes the first native call cheap: loads {@link JniSyscall}'s library on the caller's thread (a
     * dlopen), or when there is none, builds the downcall handle on a background thread, so that its
     * cost (tens of ms at start-up even with an AOT cache) overlaps with reading the config instead
     * of following it. A caller that needs the handle before it is ready simply waits for the class
     * to initialise.
     */
    public static void prepareInBackground() {
        if (JniSyscall.LIBRARY.isPresent()) {
            return;
        }
        Thread thread = new Thread(() -> {
            try {
                Class.forName(Downcall.class.getName(), true, Downcall.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // The engine's own first use reports the failure.
            }
        }, "lethe-ffm-init");
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs one system call; returns its non-negative result or throws with errno. */
    private static long call(Arena arena, int number, String name, Object pathForErrors,
                             long a, long b, long c, long d, long e, long f) throws ErrnoException {
        return call(state(arena), number, name, pathForErrors, a, b, c, d, e, f);
    }

    /** Room for the downcall's errno, or none when the calls go through JNI. */
    private static MemorySegment state(Arena arena) {
        return JniSyscall.LIBRARY.isPresent() ? MemorySegment.NULL : arena.allocate(STATE_SIZE, 8);
    }

    /** {@link #call(Arena, int, String, Object, long, long, long, long, long, long)} capturing errno in {@code state}. */
    private static long call(MemorySegment state, int number, String name, Object pathForErrors,
                             long a, long b, long c, long d, long e, long f) throws ErrnoException {
        int errno;
        if (JniSyscall.LIBRARY.isPresent()) {
            long result = JniSyscall.syscall(number, a, b, c, d, e, f);
            if (result >= 0) {
                return result;
            }
            errno = (int) -result;
        } else {
            long result;
            try {
                result = (long) Downcall.SYSCALL.invokeExact(state, (long) number, a, b, c, d, e, f);
            } catch (Throwable t) {
                throw new IllegalStateException("native call " + name + " failed to run", t);
            }
            if (result != -1) {
                return result;
            }
            errno = (int) Downcall.ERRNO.get(state, 0L);
        }
        throw new ErrnoException(name, describe(pathForErrors), errno);
    }

    private static String describe(Object path) {
        return switch (path) {
            case null -> null;
            case byte[] bytes -> new String(bytes, StandardCharsets.UTF_8);
            default -> path.toString();
        };
    }

    private static long cString(Arena arena, byte[] bytes) {
        MemorySegment segment = arena.allocate(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, segment, JAVA_BYTE, 0, bytes.length);
        segment.set(JAVA_BYTE, bytes.length, (byte) 0);
        return segment.address();
    }

    @Override
    public int openat2(int dirfd, byte[] path, long flags, long mode, long resolve) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment how = arena.allocate(24, 8);
            how.set(JAVA_LONG, 0, flags);
            how.set(JAVA_LONG, 8, mode);
            how.set(JAVA_LONG, 16, resolve);
            return (int) call(arena, nr.openat2(), "openat2", path, dirfd, cString(arena, path), how.address(), 24, 0, 0);
        }
    }

    @Override
    public int openat(int dirfd, byte[] path, long flags, long mode) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return (int) call(arena, nr.openat(), "openat", path, dirfd, cString(arena, path), flags, mode, 0, 0);
        }
    }

    @Override
    public void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, nr.close(), "close", null, fd, 0, 0, 0, 0, 0);
        } catch (ErrnoException ignored) {
            // close(2) has released the descriptor even when it reports an error.
        }
    }

    @Override
    public Stat statx(int dirfd, byte[] path, int flags) throws ErrnoException {
        Scratch scratch = SCRATCH.get();
        MemorySegment memory = scratch.memory;
        if (SCRATCH_DATA + path.length + 1 > memory.byteSize()) {
            try (Arena arena = Arena.ofConfined()) {
                return statx(state(arena), arena.allocate(StatxLayout.SIZE, 8), new byte[StatxLayout.SIZE],
                        cString(arena, path), dirfd, path, flags);
            }
        }
        MemorySegment.copy(path, 0, memory, JAVA_BYTE, SCRATCH_DATA, path.length);
        memory.set(JAVA_BYTE, SCRATCH_DATA + path.length, (byte) 0);
        return statx(scratch.state, scratch.statx, scratch.statxCopy, memory.address() + SCRATCH_DATA, dirfd, path, flags);
    }

    /** statx into {@code buf}, read through {@code b}, an array of the buffer's size the caller owns. */
    private Stat statx(MemorySegment state, MemorySegment buf, byte[] b, long cPath, int dirfd, byte[] path, int flags)
            throws ErrnoException {
        call(state, nr.statx(), "statx", path, dirfd, cPath,
                flags | Flags.AT_SYMLINK_NOFOLLOW, Flags.STATX_BASIC_STATS | Flags.STATX_MNT_ID, buf.address(), 0);
        MemorySegment.copy(buf, JAVA_BYTE, 0, b, 0, b.length);
        long attributes = longAt(b, StatxLayout.STX_ATTRIBUTES);
        long attributesMask = longAt(b, StatxLayout.STX_ATTRIBUTES_MASK);
        int mode = unsignedShortAt(b, StatxLayout.STX_MODE);
        long device = Stat.makedev(intAt(b, StatxLayout.STX_DEV_MAJOR), intAt(b, StatxLayout.STX_DEV_MINOR));
        long rdev = Stat.makedev(intAt(b, StatxLayout.STX_RDEV_MAJOR), intAt(b, StatxLayout.STX_RDEV_MINOR));
        boolean mountRoot = (attributesMask & Flags.STATX_ATTR_MOUNT_ROOT) != 0
                && (attributes & Flags.STATX_ATTR_MOUNT_ROOT) != 0;
        return new Stat(
                mode & 0170000, mode & 07777,
                intAt(b, StatxLayout.STX_UID), intAt(b, StatxLayout.STX_GID),
                longAt(b, StatxLayout.STX_SIZE), longAt(b, StatxLayout.STX_BLOCKS),
                longAt(b, StatxLayout.STX_INO), intAt(b, StatxLayout.STX_NLINK), device, rdev,
                longAt(b, StatxLayout.STX_MNT_ID), mountRoot,
                longAt(b, StatxLayout.STX_ATIME_SEC), intAt(b, StatxLayout.STX_ATIME_NSEC),
                longAt(b, StatxLayout.STX_MTIME_SEC), intAt(b, StatxLayout.STX_MTIME_NSEC),
                longAt(b, StatxLayout.STX_CTIME_SEC), intAt(b, StatxLayout.STX_CTIME_NSEC),
                attributes & attributesMask & INODE_FLAGS);
    }

    /*
     * Native memory is read by one bulk copy into a Java array, whose fields are then read by hand.
     * Each MemorySegment.get runs through a VarHandle: dozens of interpreted calls until the JIT has
     * compiled it, which a command that runs for milliseconds pays at every field of every statx and
     * directory entry (a btrfs diff read 10 directories of 1 000 names in 80 ms so, 40 ms once warm).
     * The kernel writes these structures in the machine's byte order: little-endian on every
     * architecture lethe has system call numbers for (x86-64, arm64; SyscallNumbers).
     */

    static {
        if (java.nio.ByteOrder.nativeOrder() != java.nio.ByteOrder.LITTLE_ENDIAN) {
            throw new ExceptionInInitializerError("lethe reads the kernel's structures as little-endian; this machine is "
                    + java.nio.ByteOrder.nativeOrder());
        }
    }

    static long longAt(byte[] b, int at) {
        return (intAt(b, at) & 0xFFFF_FFFFL) | ((long) intAt(b, at + 4) << 32);
    }

    static int intAt(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    static int unsignedShortAt(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    /** The statx attributes that are inode flags a user sets (chattr). */
    private static final long INODE_FLAGS = Flags.STATX_ATTR_COMPRESSED | Flags.STATX_ATTR_IMMUTABLE
            | Flags.STATX_ATTR_APPEND | Flags.STATX_ATTR_NODUMP;

    @Override
    public void mkdirat(int dirfd, byte[] name, int mode) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, nr.mkdirat(), "mkdirat", name, dirfd, cString(arena, name), mode, 0, 0, 0);
        }
    }

    @Override
    public void mknodat(int dirfd, byte[] name, int mode, long dev) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, nr.mknodat(), "mknodat", name, dirfd, cString(arena, name), mode, dev, 0, 0);
        }
    }

    @Override
    public void fchownat(int dirfd, byte[] path, int uid, int gid, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, nr.fchownat(), "fchownat", path, dirfd, cString(arena, path), uid, gid, flags, 0);
        }
    }

    @Override
    public void fchmod(int fd, int mode) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, nr.fchmod(), "fchmod", null, fd, mode, 0, 0, 0, 0);
        }
    }

    @Override
    public void fchmodat(int dirfd, byte[] path, int mode, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            // The fchmodat system call has no flags argument (glibc emulates AT_SYMLINK_NOFOLLOW), so
            // passing flags to it silently follows symlinks. fchmodat2 (Linux 6.6) honours them; on an
            // older kernel it fails with ENOSYS instead of following a link.
            if (flags == 0) {
                call(arena, nr.fchmodat(), "fchmodat", path, dirfd, cString(arena, path), mode, 0, 0, 0);
            } else {
                call(arena, nr.fchmodat2(), "fchmodat2", path, dirfd, cString(arena, path), mode, flags, 0, 0);
            }
        }
    }

    @Override
    public void renameat2(int oldDirFd, byte[] oldName, int newDirFd, byte[] newName, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, nr.renameat2(), "renameat2", oldName,
                    oldDirFd, cString(arena, oldName), newDirFd, cString(arena, newName), flags, 0);
        }
    }

    @Override
    public void unlinkat(int dirfd, byte[] name, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, nr.unlinkat(), "unlinkat", name, dirfd, cString(arena, name), flags, 0, 0, 0);
        }
    }

    @Override
    public void linkat(int oldDirFd, byte[] oldName, int newDirFd, byte[] newName, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, nr.linkat(), "linkat", newName,
                    oldDirFd, cString(arena, oldName), newDirFd, cString(arena, newName), flags, 0);
        }
    }

    @Override
    public void symlinkat(byte[] target, int dirfd, byte[] name) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, nr.symlinkat(), "symlinkat", name, cString(arena, target), dirfd, cString(arena, name), 0, 0, 0);
        }
    }

    @Override
    public byte[] readlinkat(int dirfd, byte[] name) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            int size = 4096;
            MemorySegment buf = arena.allocate(size);
            long n = call(arena, nr.readlinkat(), "readlinkat", name, dirfd, cString(arena, name), buf.address(), size, 0, 0);
            return buf.asSlice(0, n).toArray(JAVA_BYTE);
        }
    }

    @Override
    public List<DirEntry> listDirectory(int dirFd) throws ErrnoException {
        List<DirEntry> entries = new ArrayList<>();
        Scratch scratch = SCRATCH.get();
        long buf = scratch.memory.address() + SCRATCH_DATA;
        // From the start, whatever an earlier listing of the same descriptor left its offset at.
        call(scratch.state, nr.lseek(), "lseek", null, dirFd, 0, Flags.SEEK_SET, 0, 0, 0);
        while (true) {
            long n = call(scratch.state, nr.getdents64(), "getdents64", null, dirFd, buf, LISTING_SIZE, 0, 0, 0);
            if (n == 0) {
                return entries;
            }
            // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), the name, NUL-terminated.
            byte[] records = new byte[(int) n];
            MemorySegment.copy(scratch.memory, JAVA_BYTE, SCRATCH_DATA, records, 0, records.length);
            int offset = 0;
            while (offset < n) {
                int recordLength = unsignedShortAt(records, offset + 16);
                long inode = longAt(records, offset);
                int type = records[offset + 18] & 0xFF;
                int nameStart = offset + 19;
                int nameEnd = nameStart;
                while (records[nameEnd] != 0) {
                    nameEnd++;
                }
                byte[] name = java.util.Arrays.copyOfRange(records, nameStart, nameEnd);
                if (!isDotOrDotDot(name)) {
                    entries.add(new DirEntry(name, type, inode));
                }
                offset += recordLength;
            }
        }
    }

    @Override
    public boolean hasEntries(int dirFd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, nr.lseek(), "lseek", null, dirFd, 0, Flags.SEEK_SET, 0, 0, 0);
        }
        return hasEntriesJustOpened(dirFd);
    }

    @Override
    public boolean hasEntriesJustOpened(int freshDirFd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(1024, 8);
            while (true) {
                long n = call(arena, nr.getdents64(), "getdents64", null, freshDirFd, buf.address(), 1024, 0, 0, 0);
                if (n == 0) {
                    return false;
                }
                for (long offset = 0; offset < n; offset += Short.toUnsignedInt(buf.get(JAVA_SHORT, offset + 16))) {
                    byte first = buf.get(JAVA_BYTE, offset + 19);
                    byte second = buf.get(JAVA_BYTE, offset + 20);
                    byte third = buf.get(JAVA_BYTE, offset + 21);
                    boolean dot = first == '.' && second == 0;
                    boolean dotDot = first == '.' && second == '.' && third == 0;
                    if (!dot && !dotDot) {
                        return true;
                    }
                }
            }
        }
    }

    private static boolean isDotOrDotDot(byte[] name) {
        return (name.length == 1 && name[0] == '.') || (name.length == 2 && name[0] == '.' && name[1] == '.');
    }

    @Override
    public int pread(int fd, byte[] buf, int bufOffset, int length, long offset) throws ErrnoException {
        java.util.Objects.checkFromIndexSize(bufOffset, length, buf.length);
        Scratch scratch = SCRATCH.get();
        if (SCRATCH_DATA + length > scratch.memory.byteSize()) {
            try (Arena arena = Arena.ofConfined()) {
                return pread(state(arena), arena.allocate(length), 0, fd, buf, bufOffset, length, offset);
            }
        }
        return pread(scratch.state, scratch.memory, SCRATCH_DATA, fd, buf, bufOffset, length, offset);
    }

    /** pread64 into {@code segment} at {@code at}, then copied to {@code buf}. */
    private int pread(MemorySegment state, MemorySegment segment, long at, int fd, byte[] buf, int bufOffset, int length,
                      long offset) throws ErrnoException {
        long n;
        while (true) {
            try {
                n = call(state, nr.pread64(), "pread64", null, fd, segment.address() + at, length, offset, 0, 0);
                break;
            } catch (ErrnoException e) {
                if (!e.is(Errno.EINTR)) {
                    throw e;
                }
            }
        }
        MemorySegment.copy(segment, JAVA_BYTE, at, buf, bufOffset, (int) n);
        return (int) n;
    }

    @Override
    public int ioctl(int fd, long request, byte[] buffer, int length) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(length, 8);
            MemorySegment.copy(buffer, 0, segment, JAVA_BYTE, 0, length);
            long result = call(arena, nr.ioctl(), "ioctl", null, fd, request, segment.address(), 0, 0, 0);
            MemorySegment.copy(segment, JAVA_BYTE, 0, buffer, 0, length);
            return (int) result;
        }
    }

    @Override
    public void pwriteFully(int fd, byte[] buf, int length, long offset) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(Math.max(1, length));
            MemorySegment.copy(buf, 0, segment, JAVA_BYTE, 0, length);
            long written = 0;
            while (written < length) {
                try {
                    written += call(arena, nr.pwrite64(), "pwrite64", null,
                            fd, segment.address() + written, length - written, offset + written, 0, 0);
                } catch (ErrnoException e) {
                    if (!e.is(Errno.EINTR)) {
                        throw e;
                    }
                }
            }
        }
    }

    @Override
    public long lseek(int fd, long offset, int whence) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return call(arena, nr.lseek(), "lseek", null, fd, offset, whence, 0, 0, 0);
        } catch (ErrnoException e) {
            if (e.is(Errno.ENXIO)) {
                return -1;
            }
            throw e;
        }
    }

    @Override
    public void ftruncate(int fd, long length) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, nr.ftruncate(), "ftruncate", null, fd, length, 0, 0, 0, 0);
        }
    }

    @Override
    public void fsync(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, nr.fsync(), "fsync", null, fd, 0, 0, 0, 0, 0);
        }
    }

    @Override
    public List<byte[]> flistxattr(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            long size = call(arena, nr.flistxattr(), "flistxattr", null, fd, 0, 0, 0, 0, 0);
            if (size == 0) {
                return List.of();
            }
            MemorySegment buf = arena.allocate(size);
            long n = call(arena, nr.flistxattr(), "flistxattr", null, fd, buf.address(), size, 0, 0, 0);
            byte[] all = buf.asSlice(0, n).toArray(JAVA_BYTE);
            List<byte[]> names = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < all.length; i++) {
                if (all[i] == 0) {
                    if (i > start) {
                        names.add(java.util.Arrays.copyOfRange(all, start, i));
                    }
                    start = i + 1;
                }
            }
            return names;
        }
    }

    @Override
    public byte[] fgetxattr(int fd, byte[] name) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            long nameAddress = cString(arena, name);
            long size = call(arena, nr.fgetxattr(), "fgetxattr", name, fd, nameAddress, 0, 0, 0, 0);
            MemorySegment buf = arena.allocate(Math.max(1, size));
            long n = call(arena, nr.fgetxattr(), "fgetxattr", name, fd, nameAddress, buf.address(), size, 0, 0);
            return buf.asSlice(0, n).toArray(JAVA_BYTE);
        }
    }

    @Override
    public void fsetxattr(int fd, byte[] name, byte[] value) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, buf, JAVA_BYTE, 0, value.length);
            call(arena, nr.fsetxattr(), "fsetxattr", name, fd, cString(arena, name), buf.address(), value.length, 0, 0);
        }
    }

    @Override
    public void utimensat(int dirfd, byte[] path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec, int flags)
            throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment times = arena.allocate(32, 8);
            times.set(JAVA_LONG, 0, atimeSec);
            times.set(JAVA_LONG, 8, atimeNsec);
            times.set(JAVA_LONG, 16, mtimeSec);
            times.set(JAVA_LONG, 24, mtimeNsec);
            // NULL means "dirfd itself" but then the kernel requires flags == 0 and an fd not opened
            // with O_PATH; with AT_EMPTY_PATH the kernel wants the empty string, which also works for
            // O_PATH fds.
            long pathAddress = path.length == 0 && (flags & Flags.AT_EMPTY_PATH) == 0 ? 0 : cString(arena, path);
            call(arena, nr.utimensat(), "utimensat", path, dirfd, pathAddress, times.address(), flags, 0, 0);
        }
    }

    @Override
    public int openTree(int dirfd, byte[] path, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return (int) call(arena, nr.openTree(), "open_tree", path, dirfd, cString(arena, path), flags, 0, 0, 0);
        }
    }

    @Override
    public void moveMount(int fromDirFd, byte[] fromPath, int toDirFd, byte[] toPath, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, nr.moveMount(), "move_mount", toPath,
                    fromDirFd, cString(arena, fromPath), toDirFd, cString(arena, toPath), flags, 0);
        }
    }

    @Override
    public int fsopen(byte[] fsName, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return (int) call(arena, nr.fsopen(), "fsopen", fsName, cString(arena, fsName), flags, 0, 0, 0, 0);
        }
    }

    @Override
    public void fsconfig(int fd, int cmd, byte[] key, byte[] value, int aux) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            long keyAddress = key == null ? 0 : cString(arena, key);
            long valueAddress = value == null ? 0 : cString(arena, value);
            // The key names the failing option; the value (a device, a subvolume) is what the user recognises.
            Object forErrors = key == null ? (cmd == Flags.FSCONFIG_CMD_CREATE ? "create" : "command " + cmd)
                    : new String(key, StandardCharsets.UTF_8) + (value == null ? "" : "=" + new String(value, StandardCharsets.UTF_8));
            call(arena, nr.fsconfig(), "fsconfig", forErrors, fd, cmd, keyAddress, valueAddress, aux, 0);
        }
    }

    @Override
    public int fsmount(int fd, int flags, int attrFlags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return (int) call(arena, nr.fsmount(), "fsmount", null, fd, flags, attrFlags, 0, 0, 0);
        }
    }

    @Override
    public void btrfsSync(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, nr.ioctl(), "ioctl BTRFS_IOC_SYNC", null, fd, Flags.BTRFS_IOC_SYNC, 0, 0, 0, 0);
        }
    }

    @Override
    public SubvolumeInfo btrfsSubvolumeInfo(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = arena.allocate(SubvolInfoLayout.SIZE, 8);
            call(arena, nr.ioctl(), "ioctl BTRFS_IOC_GET_SUBVOL_INFO", null, fd, Flags.BTRFS_IOC_GET_SUBVOL_INFO,
                    args.address(), 0, 0, 0);
            UUID parent = uuid(args, SubvolInfoLayout.PARENT_UUID);
            return new SubvolumeInfo(args.get(JAVA_LONG, SubvolInfoLayout.TREEID),
                    args.getString(SubvolInfoLayout.NAME, StandardCharsets.UTF_8),
                    args.get(JAVA_LONG, SubvolInfoLayout.PARENT_ID), args.get(JAVA_LONG, SubvolInfoLayout.GENERATION),
                    args.get(JAVA_LONG, SubvolInfoLayout.OTRANSID), args.get(JAVA_LONG, SubvolInfoLayout.CTRANSID),
                    args.get(JAVA_LONG, SubvolInfoLayout.FLAGS), uuid(args, SubvolInfoLayout.UUID),
                    parent.getMostSignificantBits() == 0 && parent.getLeastSignificantBits() == 0
                            ? Optional.empty() : Optional.of(parent));
        }
    }

    /** A UUID stored as its 16 bytes in written order (as btrfs keeps them): big-endian halves. */
    private static UUID uuid(MemorySegment segment, long offset) {
        return new UUID(segment.get(JAVA_LONG_BIG_ENDIAN, offset), segment.get(JAVA_LONG_BIG_ENDIAN, offset + 8));
    }

    @Override
    public void umount2(byte[] target, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, nr.umount2(), "umount2", target, cString(arena, target), flags, 0, 0, 0, 0);
        }
    }

    @Override
    public void flock(int fd, int operation) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, nr.flock(), "flock", null, fd, operation, 0, 0, 0, 0);
        }
    }
}
