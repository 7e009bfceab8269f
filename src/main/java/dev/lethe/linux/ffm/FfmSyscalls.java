package dev.lethe.linux.ffm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Errno;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Stat;
import dev.lethe.linux.SubvolumeInfo;
import dev.lethe.linux.Syscalls;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@link Syscalls} through libc's {@code syscall()}, the only class that touches native memory.
 *
 * <p>Every call goes to libc's {@code long syscall(long number, ...)} with six integer arguments:
 * through {@link JniSyscall}'s C function when its library is there (the jlink'd runtime's), else
 * through one FFM downcall handle. Creating a downcall handle is the expensive part of the first
 * native call at JVM start-up, and its cost grows with the number of distinct handles; one handle for
 * all calls keeps it small, and JNI avoids it. Pointers are passed as their addresses, which is how
 * the kernel's system call ABI takes them anyway. errno is read per call on the calling thread (the
 * C function returns it; the downcall captures it), so calls from several threads do not race on it.
 *
 * <p>The memory the calls point at is a direct {@link ByteBuffer} per thread ({@link Scratch}), its
 * address given by JNI ({@code GetDirectBufferAddress}) or, without the library, by
 * {@link MemorySegment#ofBuffer}. Not java.lang.foreign's segments: their first use at start-up
 * initialises the FFM implementation (its layouts, var handles and method handles, lambda forms spun
 * at run time, which the AOT cache does not keep): about 15 ms at every start, where NIO's buffers
 * are the JVM's own start's and cost under a millisecond (docs/performance.md).
 */
public final class FfmSyscalls implements Syscalls {

    /**
     * Room for the call state the FFM downcall captures (errno); checked against the linker's own
     * layout when the handle is built. Unused when the calls go through {@link JniSyscall}.
     */
    private static final int STATE_SIZE = 64;

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

    /*
     * The thread's memory: [0, 64) the downcall's errno capture state, [64, 320) the statx buffer,
     * then the call's arguments and data (paths, the data read or written, directory records).
     */
    private static final int SCRATCH_STATX = STATE_SIZE, SCRATCH_DATA = SCRATCH_STATX + StatxLayout.SIZE;
    private static final int LISTING_SIZE = 32 * 1024;
    /**
     * pread and pwriteFully move at most this much per call (a short read is pread's right; every
     * caller reads on until it has what it wants), so that no thread keeps a file's size of memory.
     */
    private static final int CHUNK = 1 << 20;
    /** Far above what any call lays out (paths, xattrs, ioctl arguments, a chunk). */
    private static final long MAX_CAPACITY = 1L << 30;

    /**
     * Native memory for the calls, one per thread and kept for the thread's life: an allocation per
     * call (a malloc and a free, the memory zeroed) cost more than the system call itself, and a
     * fresh array or buffer per call is garbage the heap must take in fresh pages (a walk of 200 000
     * paths allocated 300 MB, a sixth of it per-call memory). It grows when a call needs more, before
     * the call lays out its first argument: an address handed out stays valid until the call returns.
     */
    private static final class Scratch {
        ByteBuffer memory;
        long address;
        /** The downcall's errno capture, a view of [0, 64); null when the calls go through JNI. */
        MemorySegment state;
        /** The array each statx buffer is copied into to be read. */
        final byte[] statxCopy = new byte[StatxLayout.SIZE];
        /** Where the current call's next argument goes, and where its room ends. */
        private int next, limit;

        Scratch() {
            allocate(SCRATCH_DATA + (64 << 10));
        }

        private void allocate(long size) {
            if (size > MAX_CAPACITY) {
                throw new OutOfMemoryError("a system call's arguments need " + size + " bytes of native memory");
            }
            int capacity = (int) ((size + 4095) & ~4095L);
            memory = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
            address = addressOf(memory);
            state = JniSyscall.LIBRARY.isPresent() ? null : MemorySegment.ofBuffer(memory).asSlice(0, STATE_SIZE);
        }

        /**
         * This memory with room for {@code dataSize} bytes of arguments, none laid out yet; each
         * argument {@link #take}s its size rounded up to 8, which {@code dataSize} must count.
         */
        Scratch room(long dataSize) {
            long needed = SCRATCH_DATA + aligned(dataSize);
            if (needed > memory.capacity()) {
                allocate(Math.max(needed, Math.min(2L * memory.capacity(), MAX_CAPACITY)));
            }
            next = SCRATCH_DATA;
            limit = (int) needed;
            return this;
        }

        /** The offset of {@code size} bytes of the room, 8-aligned. */
        int take(int size) {
            int at = next;
            long end = at + aligned(size);
            if (end > limit) {
                throw new IllegalStateException("a system call's arguments overflow the room asked for: " + end + " > " + limit);
            }
            next = (int) end;
            return at;
        }

        /** {@code bytes} and a NUL as a C string in the room; its address. */
        long cString(byte[] bytes) {
            int at = take(bytes.length + 1);
            memory.put(at, bytes);
            memory.put(at + bytes.length, (byte) 0);
            return address + at;
        }
    }

    /** What a C string of {@code bytes} takes of a {@link Scratch#room}. */
    private static long cSize(byte[] bytes) {
        return aligned(bytes.length + 1L);
    }

    private static long aligned(long size) {
        return (size + 7) & ~7L;
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** The thread's memory with room for {@code dataSize} bytes of arguments. */
    private static Scratch room(long dataSize) {
        return SCRATCH.get().room(dataSize);
    }

    private static long addressOf(ByteBuffer buffer) {
        long address = JniSyscall.LIBRARY.isPresent() ? JniSyscall.address(buffer) : MemorySegment.ofBuffer(buffer).address();
        if (address == 0) {
            throw new IllegalStateException("no native address for a direct buffer");
        }
        return address;
    }

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

    /**
     * Runs one system call; returns its non-negative result or throws with errno. {@code scratch} is
     * the thread's memory when the caller has it at hand, else null: the downcall captures errno in it.
     */
    private static long call(Scratch scratch, int number, String name, Object pathForErrors,
                             long a, long b, long c, long d, long e, long f) throws ErrnoException {
        int errno;
        if (JniSyscall.LIBRARY.isPresent()) {
            long result = JniSyscall.syscall(number, a, b, c, d, e, f);
            if (result >= 0) {
                return result;
            }
            errno = (int) -result;
        } else {
            MemorySegment state = (scratch != null ? scratch : SCRATCH.get()).state;
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
        // Not a pattern switch: this runs at every boot (a path the plan expects to be absent), and a
        // type switch's first use spins its class at run time.
        throw pathForErrors instanceof byte[] bytes ? ErrnoException.onName(name, bytes, errno)
                : new ErrnoException(name, pathForErrors == null ? null : pathForErrors.toString(), errno);
    }

    @Override
    public int openat2(int dirfd, byte[] path, long flags, long mode, long resolve) throws ErrnoException {
        Scratch s = room(24 + cSize(path));
        int how = s.take(24);
        s.memory.putLong(how, flags);
        s.memory.putLong(how + 8, mode);
        s.memory.putLong(how + 16, resolve);
        return (int) call(s, nr.openat2(), "openat2", path, dirfd, s.cString(path), s.address + how, 24, 0, 0);
    }

    @Override
    public int openat(int dirfd, byte[] path, long flags, long mode) throws ErrnoException {
        Scratch s = room(cSize(path));
        return (int) call(s, nr.openat(), "openat", path, dirfd, s.cString(path), flags, mode, 0, 0);
    }

    @Override
    public void close(int fd) {
        try {
            call(null, nr.close(), "close", null, fd, 0, 0, 0, 0, 0);
        } catch (ErrnoException ignored) {
            // close(2) has released the descriptor even when it reports an error.
        }
    }

    @Override
    public Stat statx(int dirfd, byte[] path, int flags) throws ErrnoException {
        Scratch s = room(cSize(path));
        byte[] b = s.statxCopy;
        call(s, nr.statx(), "statx", path, dirfd, s.cString(path),
                flags | Flags.AT_SYMLINK_NOFOLLOW, Flags.STATX_BASIC_STATS | Flags.STATX_MNT_ID, s.address + SCRATCH_STATX, 0);
        s.memory.get(SCRATCH_STATX, b, 0, b.length);
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
     * Native memory is read by one bulk copy into a Java array, whose fields are then read by hand:
     * a buffer's or a segment's own reads run through several calls each (a VarHandle for a
     * segment), which a command that lives for milliseconds runs interpreted at every field of every
     * statx and directory entry (a btrfs diff read 10 directories of 1 000 names in 80 ms so, 40 ms
     * once warm). The kernel writes these structures in the machine's byte order: little-endian on
     * every architecture lethe has system call numbers for (x86-64, arm64; SyscallNumbers).
     */

    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new ExceptionInInitializerError("lethe reads the kernel's structures as little-endian; this machine is "
                    + ByteOrder.nativeOrder());
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

    /** Eight bytes as a big-endian long, whatever the machine's byte order: a UUID's halves. */
    static long bigEndianLongAt(byte[] b, int at) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = value << 8 | (b[at + i] & 0xFF);
        }
        return value;
    }

    /** The statx attributes that are inode flags a user sets (chattr). */
    private static final long INODE_FLAGS = Flags.STATX_ATTR_COMPRESSED | Flags.STATX_ATTR_IMMUTABLE
            | Flags.STATX_ATTR_APPEND | Flags.STATX_ATTR_NODUMP;

    @Override
    public void mkdirat(int dirfd, byte[] name, int mode) throws ErrnoException {
        Scratch s = room(cSize(name));
        call(s, nr.mkdirat(), "mkdirat", name, dirfd, s.cString(name), mode, 0, 0, 0);
    }

    @Override
    public void mknodat(int dirfd, byte[] name, int mode, long dev) throws ErrnoException {
        Scratch s = room(cSize(name));
        call(s, nr.mknodat(), "mknodat", name, dirfd, s.cString(name), mode, dev, 0, 0);
    }

    @Override
    public void fchownat(int dirfd, byte[] path, int uid, int gid, int flags) throws ErrnoException {
        Scratch s = room(cSize(path));
        call(s, nr.fchownat(), "fchownat", path, dirfd, s.cString(path), uid, gid, flags, 0);
    }

    @Override
    public void fchmod(int fd, int mode) throws ErrnoException {
        call(null, nr.fchmod(), "fchmod", null, fd, mode, 0, 0, 0, 0);
    }

    @Override
    public void fchmodat(int dirfd, byte[] path, int mode, int flags) throws ErrnoException {
        Scratch s = room(cSize(path));
        // The fchmodat system call has no flags argument (glibc emulates AT_SYMLINK_NOFOLLOW), so
        // passing flags to it silently follows symlinks. fchmodat2 (Linux 6.6) honours them; on an
        // older kernel it fails with ENOSYS instead of following a link.
        if (flags == 0) {
            call(s, nr.fchmodat(), "fchmodat", path, dirfd, s.cString(path), mode, 0, 0, 0);
        } else {
            call(s, nr.fchmodat2(), "fchmodat2", path, dirfd, s.cString(path), mode, flags, 0, 0);
        }
    }

    @Override
    public void renameat2(int oldDirFd, byte[] oldName, int newDirFd, byte[] newName, int flags) throws ErrnoException {
        Scratch s = room(cSize(oldName) + cSize(newName));
        call(s, nr.renameat2(), "renameat2", oldName,
                oldDirFd, s.cString(oldName), newDirFd, s.cString(newName), flags, 0);
    }

    @Override
    public void unlinkat(int dirfd, byte[] name, int flags) throws ErrnoException {
        Scratch s = room(cSize(name));
        call(s, nr.unlinkat(), "unlinkat", name, dirfd, s.cString(name), flags, 0, 0, 0);
    }

    @Override
    public void linkat(int oldDirFd, byte[] oldName, int newDirFd, byte[] newName, int flags) throws ErrnoException {
        Scratch s = room(cSize(oldName) + cSize(newName));
        call(s, nr.linkat(), "linkat", newName,
                oldDirFd, s.cString(oldName), newDirFd, s.cString(newName), flags, 0);
    }

    @Override
    public void symlinkat(byte[] target, int dirfd, byte[] name) throws ErrnoException {
        Scratch s = room(cSize(target) + cSize(name));
        call(s, nr.symlinkat(), "symlinkat", name, s.cString(target), dirfd, s.cString(name), 0, 0, 0);
    }

    @Override
    public byte[] readlinkat(int dirfd, byte[] name) throws ErrnoException {
        int size = 4096;
        Scratch s = room(cSize(name) + size);
        long path = s.cString(name);
        int buf = s.take(size);
        int n = (int) call(s, nr.readlinkat(), "readlinkat", name, dirfd, path, s.address + buf, size, 0, 0);
        return copyOut(s, buf, n);
    }

    /** {@code length} bytes of the thread's memory from {@code at}, as an array. */
    private static byte[] copyOut(Scratch s, int at, int length) {
        byte[] bytes = new byte[length];
        s.memory.get(at, bytes, 0, length);
        return bytes;
    }

    @Override
    public List<DirEntry> listDirectory(int dirFd) throws ErrnoException {
        List<DirEntry> entries = new ArrayList<>();
        Scratch s = room(LISTING_SIZE);
        int buf = s.take(LISTING_SIZE);
        // From the start, whatever an earlier listing of the same descriptor left its offset at.
        call(s, nr.lseek(), "lseek", null, dirFd, 0, Flags.SEEK_SET, 0, 0, 0);
        while (true) {
            int n = (int) call(s, nr.getdents64(), "getdents64", null, dirFd, s.address + buf, LISTING_SIZE, 0, 0, 0);
            if (n == 0) {
                return entries;
            }
            // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), the name, NUL-terminated.
            byte[] records = copyOut(s, buf, n);
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
        call(null, nr.lseek(), "lseek", null, dirFd, 0, Flags.SEEK_SET, 0, 0, 0);
        return hasEntriesJustOpened(dirFd);
    }

    @Override
    public boolean hasEntriesJustOpened(int freshDirFd) throws ErrnoException {
        int size = 1024;
        Scratch s = room(size);
        int buf = s.take(size);
        while (true) {
            int n = (int) call(s, nr.getdents64(), "getdents64", null, freshDirFd, s.address + buf, size, 0, 0, 0);
            if (n == 0) {
                return false;
            }
            byte[] records = copyOut(s, buf, n);
            for (int offset = 0; offset < n; offset += unsignedShortAt(records, offset + 16)) {
                byte first = records[offset + 19];
                byte second = records[offset + 20];
                byte third = records[offset + 21];
                boolean dot = first == '.' && second == 0;
                boolean dotDot = first == '.' && second == '.' && third == 0;
                if (!dot && !dotDot) {
                    return true;
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
        int wanted = Math.min(length, CHUNK);
        Scratch s = room(wanted);
        int at = s.take(wanted);
        int n;
        while (true) {
            try {
                n = (int) call(s, nr.pread64(), "pread64", null, fd, s.address + at, wanted, offset, 0, 0);
                break;
            } catch (ErrnoException e) {
                if (!e.is(Errno.EINTR)) {
                    throw e;
                }
            }
        }
        s.memory.get(at, buf, bufOffset, n);
        return n;
    }

    @Override
    public int ioctl(int fd, long request, byte[] buffer, int length) throws ErrnoException {
        java.util.Objects.checkFromIndexSize(0, length, buffer.length);
        Scratch s = room(length);
        int at = s.take(length);
        s.memory.put(at, buffer, 0, length);
        long result = call(s, nr.ioctl(), "ioctl", null, fd, request, s.address + at, 0, 0, 0);
        s.memory.get(at, buffer, 0, length);
        return (int) result;
    }

    @Override
    public void pwriteFully(int fd, byte[] buf, int length, long offset) throws ErrnoException {
        java.util.Objects.checkFromIndexSize(0, length, buf.length);
        int chunk = Math.min(length, CHUNK);
        Scratch s = room(chunk);
        int at = s.take(chunk);
        int written = 0;
        while (written < length) {
            int size = Math.min(chunk, length - written);
            s.memory.put(at, buf, written, size);
            int done = 0;
            while (done < size) {
                try {
                    done += (int) call(s, nr.pwrite64(), "pwrite64", null,
                            fd, s.address + at + done, size - done, offset + written + done, 0, 0);
                } catch (ErrnoException e) {
                    if (!e.is(Errno.EINTR)) {
                        throw e;
                    }
                }
            }
            written += size;
        }
    }

    @Override
    public long lseek(int fd, long offset, int whence) throws ErrnoException {
        try {
            return call(null, nr.lseek(), "lseek", null, fd, offset, whence, 0, 0, 0);
        } catch (ErrnoException e) {
            if (e.is(Errno.ENXIO)) {
                return -1;
            }
            throw e;
        }
    }

    @Override
    public void ftruncate(int fd, long length) throws ErrnoException {
        call(null, nr.ftruncate(), "ftruncate", null, fd, length, 0, 0, 0, 0);
    }

    @Override
    public void fsync(int fd) throws ErrnoException {
        call(null, nr.fsync(), "fsync", null, fd, 0, 0, 0, 0, 0);
    }

    @Override
    public List<byte[]> flistxattr(int fd) throws ErrnoException {
        int size = (int) call(null, nr.flistxattr(), "flistxattr", null, fd, 0, 0, 0, 0, 0);
        if (size == 0) {
            return List.of();
        }
        Scratch s = room(size);
        int buf = s.take(size);
        int n = (int) call(s, nr.flistxattr(), "flistxattr", null, fd, s.address + buf, size, 0, 0, 0);
        byte[] all = copyOut(s, buf, n);
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

    @Override
    public byte[] fgetxattr(int fd, byte[] name) throws ErrnoException {
        Scratch s = room(cSize(name));
        long nameAddress = s.cString(name);
        int size = (int) call(s, nr.fgetxattr(), "fgetxattr", name, fd, nameAddress, 0, 0, 0, 0);
        s = room(cSize(name) + Math.max(1, size));
        nameAddress = s.cString(name);
        int buf = s.take(Math.max(1, size));
        int n = (int) call(s, nr.fgetxattr(), "fgetxattr", name, fd, nameAddress, s.address + buf, size, 0, 0);
        return copyOut(s, buf, n);
    }

    @Override
    public void fsetxattr(int fd, byte[] name, byte[] value) throws ErrnoException {
        Scratch s = room(cSize(name) + Math.max(1, value.length));
        long nameAddress = s.cString(name);
        int buf = s.take(Math.max(1, value.length));
        s.memory.put(buf, value);
        call(s, nr.fsetxattr(), "fsetxattr", name, fd, nameAddress, s.address + buf, value.length, 0, 0);
    }

    @Override
    public void utimensat(int dirfd, byte[] path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec, int flags)
            throws ErrnoException {
        Scratch s = room(32 + cSize(path));
        int times = s.take(32);
        s.memory.putLong(times, atimeSec);
        s.memory.putLong(times + 8, atimeNsec);
        s.memory.putLong(times + 16, mtimeSec);
        s.memory.putLong(times + 24, mtimeNsec);
        // NULL means "dirfd itself" but then the kernel requires flags == 0 and an fd not opened
        // with O_PATH; with AT_EMPTY_PATH the kernel wants the empty string, which also works for
        // O_PATH fds.
        long pathAddress = path.length == 0 && (flags & Flags.AT_EMPTY_PATH) == 0 ? 0 : s.cString(path);
        call(s, nr.utimensat(), "utimensat", path, dirfd, pathAddress, s.address + times, flags, 0, 0);
    }

    @Override
    public int openTree(int dirfd, byte[] path, int flags) throws ErrnoException {
        Scratch s = room(cSize(path));
        return (int) call(s, nr.openTree(), "open_tree", path, dirfd, s.cString(path), flags, 0, 0, 0);
    }

    @Override
    public void moveMount(int fromDirFd, byte[] fromPath, int toDirFd, byte[] toPath, int flags) throws ErrnoException {
        Scratch s = room(cSize(fromPath) + cSize(toPath));
        call(s, nr.moveMount(), "move_mount", toPath,
                fromDirFd, s.cString(fromPath), toDirFd, s.cString(toPath), flags, 0);
    }

    @Override
    public int fsopen(byte[] fsName, int flags) throws ErrnoException {
        Scratch s = room(cSize(fsName));
        return (int) call(s, nr.fsopen(), "fsopen", fsName, s.cString(fsName), flags, 0, 0, 0, 0);
    }

    @Override
    public void fsconfig(int fd, int cmd, byte[] key, byte[] value, int aux) throws ErrnoException {
        Scratch s = room((key == null ? 0 : cSize(key)) + (value == null ? 0 : cSize(value)));
        long keyAddress = key == null ? 0 : s.cString(key);
        long valueAddress = value == null ? 0 : s.cString(value);
        // The key names the failing option; the value (a device, a subvolume) is what the user recognises.
        Object forErrors = key == null ? (cmd == Flags.FSCONFIG_CMD_CREATE ? "create" : "command " + cmd)
                : new String(key, StandardCharsets.UTF_8) + (value == null ? "" : "=" + new String(value, StandardCharsets.UTF_8));
        call(s, nr.fsconfig(), "fsconfig", forErrors, fd, cmd, keyAddress, valueAddress, aux, 0);
    }

    @Override
    public int fsmount(int fd, int flags, int attrFlags) throws ErrnoException {
        return (int) call(null, nr.fsmount(), "fsmount", null, fd, flags, attrFlags, 0, 0, 0);
    }

    @Override
    public void btrfsSync(int fd) throws ErrnoException {
        call(null, nr.ioctl(), "ioctl BTRFS_IOC_SYNC", null, fd, Flags.BTRFS_IOC_SYNC, 0, 0, 0, 0);
    }

    @Override
    public SubvolumeInfo btrfsSubvolumeInfo(int fd) throws ErrnoException {
        Scratch s = room(SubvolInfoLayout.SIZE);
        int at = s.take(SubvolInfoLayout.SIZE);
        call(s, nr.ioctl(), "ioctl BTRFS_IOC_GET_SUBVOL_INFO", null, fd, Flags.BTRFS_IOC_GET_SUBVOL_INFO,
                s.address + at, 0, 0, 0);
        byte[] args = copyOut(s, at, SubvolInfoLayout.SIZE);
        UUID parent = uuid(args, SubvolInfoLayout.PARENT_UUID);
        return new SubvolumeInfo(longAt(args, SubvolInfoLayout.TREEID),
                cStringAt(args, SubvolInfoLayout.NAME, SubvolInfoLayout.PARENT_ID),
                longAt(args, SubvolInfoLayout.PARENT_ID), longAt(args, SubvolInfoLayout.GENERATION),
                longAt(args, SubvolInfoLayout.OTRANSID), longAt(args, SubvolInfoLayout.CTRANSID),
                longAt(args, SubvolInfoLayout.FLAGS), uuid(args, SubvolInfoLayout.UUID),
                parent.getMostSignificantBits() == 0 && parent.getLeastSignificantBits() == 0
                        ? Optional.empty() : Optional.of(parent));
    }

    /** The NUL-terminated UTF-8 text at {@code from}, which ends at {@code limit} if no NUL comes first. */
    static String cStringAt(byte[] b, int from, int limit) {
        int end = from;
        while (end < limit && b[end] != 0) {
            end++;
        }
        return new String(b, from, end - from, StandardCharsets.UTF_8);
    }

    /** A UUID stored as its 16 bytes in written order (as btrfs keeps them): big-endian halves. */
    private static UUID uuid(byte[] b, int offset) {
        return new UUID(bigEndianLongAt(b, offset), bigEndianLongAt(b, offset + 8));
    }

    @Override
    public void umount2(byte[] target, int flags) throws ErrnoException {
        Scratch s = room(cSize(target));
        call(s, nr.umount2(), "umount2", target, s.cString(target), flags, 0, 0, 0, 0);
    }

    @Override
    public void flock(int fd, int operation) throws ErrnoException {
        call(null, nr.flock(), "flock", null, fd, operation, 0, 0, 0, 0);
    }
}
