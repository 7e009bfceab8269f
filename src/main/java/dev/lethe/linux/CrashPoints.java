package dev.lethe.linux;

import java.io.IOException;
import java.util.List;

/**
 * Deterministic crash injection for the crash-safety tests. When the environment variable
 * {@code LETHE_TEST_CRASH_AT=N} is set, {@link #wrap} returns a port that kills the process with
 * SIGKILL just before its N-th filesystem or mount-table mutation, as a power cut would. Unset,
 * the real port is returned untouched and nothing on the normal path pays for this.
 */
public final class CrashPoints implements Syscalls {
    private static final long CRASH_AT = parse(System.getenv("LETHE_TEST_CRASH_AT"));
    /** Mutations and tool steps so far in this process, counted together. */
    private static long mutations;
    /** A fault for the next ports wrapped in this process (in-process sweeps), or null. */
    private static volatile Fault injected;
    /** Mutations counted by ports with an injected fault since it was armed: tells a sweep when it is past the end. */
    private static final java.util.concurrent.atomic.AtomicLong injectedMutations = new java.util.concurrent.atomic.AtomicLong();

    private final Syscalls real;
    private final Fault fault;
    /** Mutations through this port so far, for an injected fault. */
    private long count;
    private boolean dead;

    private CrashPoints(Syscalls real, Fault fault) {
        this.real = real;
        this.fault = fault;
    }

    /**
     * A fault injected in-process, so that a test can sweep every mutation point in milliseconds
     * instead of a JVM start each: at the {@code at}-th mutation, either the port "dies" (that
     * mutation and every later one throws {@link SimulatedCrash}, so no cleanup code can touch the
     * disk, as after SIGKILL) or that one mutation fails with {@code errno} and the rest run.
     */
    public record Fault(long at, int errno) {
        public static Fault crashAt(long at) {
            return new Fault(at, 0);
        }

        public static Fault failAt(long at, int errno) {
            return new Fault(at, errno);
        }
    }

    /** Thrown by every mutation of a port whose injected crash came; an Error, so no catch clause of lethe's sees it. */
    public static final class SimulatedCrash extends Error {
        public SimulatedCrash(long at) {
            super("simulated crash before mutation " + at, null, false, false);
        }
    }

    /** Arms {@code fault} for every port wrapped from now on (null disarms). For tests only. */
    public static void inject(Fault fault) {
        injected = fault;
        injectedMutations.set(0);
    }

    /** How many mutations ports with the injected fault attempted since {@link #inject}. */
    public static long injectedMutations() {
        return injectedMutations.get();
    }

    private static long parse(String value) {
        return value == null || value.isBlank() ? -1 : Long.parseLong(value.trim());
    }

    public static Syscalls wrap(Syscalls real) {
        Fault fault = injected;
        return CRASH_AT < 0 && fault == null ? real : new CrashPoints(real, fault);
    }

    /** Called before each step that runs a filesystem tool (btrfs, zfs, mount): also a crash point. */
    public static void beforeStep() {
        if (CRASH_AT >= 0) {
            countAndMaybeDie();
        }
    }

    private void mutation() throws ErrnoException {
        if (fault == null) {
            countAndMaybeDie();
            return;
        }
        count++;
        injectedMutations.incrementAndGet();
        if (dead || count == fault.at() && fault.errno() == 0) {
            dead = true;
            throw new SimulatedCrash(fault.at());
        }
        if (count == fault.at()) {
            throw new ErrnoException("injected", "mutation " + count, fault.errno());
        }
    }

    private static synchronized void countAndMaybeDie() {
        mutations++;
        if (mutations >= CRASH_AT) {
            // SIGKILL through the shell-free route: the JVM cannot run any cleanup, as in a power cut.
            try {
                new ProcessBuilder("kill", "-KILL", Long.toString(ProcessHandle.current().pid())).start().waitFor();
                Thread.sleep(10_000);
            } catch (IOException | InterruptedException e) {
                // Fall through to halt.
            }
            Runtime.getRuntime().halt(137);
        }
    }

    private static boolean creates(long flags) {
        return (flags & Flags.O_CREAT) != 0 || (flags & Flags.O_TRUNC) != 0;
    }

    @Override public int openat2(int dirfd, byte[] path, long flags, long mode, long resolve) throws ErrnoException {
        if (creates(flags)) mutation();
        return real.openat2(dirfd, path, flags, mode, resolve);
    }
    @Override public int openat(int dirfd, byte[] path, long flags, long mode) throws ErrnoException {
        if (creates(flags)) mutation();
        return real.openat(dirfd, path, flags, mode);
    }
    @Override public void close(int fd) { real.close(fd); }
    @Override public Stat statx(int dirfd, byte[] path, int flags) throws ErrnoException { return real.statx(dirfd, path, flags); }
    @Override public void mkdirat(int dirfd, byte[] name, int mode) throws ErrnoException { mutation(); real.mkdirat(dirfd, name, mode); }
    @Override public void mknodat(int dirfd, byte[] name, int mode, long dev) throws ErrnoException { mutation(); real.mknodat(dirfd, name, mode, dev); }
    @Override public void fchownat(int dirfd, byte[] path, int uid, int gid, int flags) throws ErrnoException { mutation(); real.fchownat(dirfd, path, uid, gid, flags); }
    @Override public void fchmod(int fd, int mode) throws ErrnoException { mutation(); real.fchmod(fd, mode); }
    @Override public void fchmodat(int dirfd, byte[] path, int mode, int flags) throws ErrnoException { mutation(); real.fchmodat(dirfd, path, mode, flags); }
    @Override public void renameat2(int a, byte[] b, int c, byte[] d, int flags) throws ErrnoException { mutation(); real.renameat2(a, b, c, d, flags); }
    @Override public void unlinkat(int dirfd, byte[] name, int flags) throws ErrnoException { mutation(); real.unlinkat(dirfd, name, flags); }
    @Override public void linkat(int a, byte[] b, int c, byte[] d, int flags) throws ErrnoException { mutation(); real.linkat(a, b, c, d, flags); }
    @Override public void symlinkat(byte[] target, int dirfd, byte[] name) throws ErrnoException { mutation(); real.symlinkat(target, dirfd, name); }
    @Override public byte[] readlinkat(int dirfd, byte[] name) throws ErrnoException { return real.readlinkat(dirfd, name); }
    @Override public List<DirEntry> listDirectory(int dirFd) throws ErrnoException { return real.listDirectory(dirFd); }
    @Override public int ioctl(int fd, long request, byte[] buffer, int length) throws ErrnoException { return real.ioctl(fd, request, buffer, length); }
    @Override public boolean hasEntries(int dirFd) throws ErrnoException { return real.hasEntries(dirFd); }
    @Override public boolean hasEntriesJustOpened(int dirFd) throws ErrnoException { return real.hasEntriesJustOpened(dirFd); }
    @Override public int pread(int fd, byte[] buf, int bufOffset, int length, long offset) throws ErrnoException { return real.pread(fd, buf, bufOffset, length, offset); }
    @Override public void pwriteFully(int fd, byte[] buf, int length, long offset) throws ErrnoException { mutation(); real.pwriteFully(fd, buf, length, offset); }
    @Override public long lseek(int fd, long offset, int whence) throws ErrnoException { return real.lseek(fd, offset, whence); }
    @Override public void ftruncate(int fd, long length) throws ErrnoException { mutation(); real.ftruncate(fd, length); }
    @Override public void fsync(int fd) throws ErrnoException { real.fsync(fd); }
    @Override public List<byte[]> flistxattr(int fd) throws ErrnoException { return real.flistxattr(fd); }
    @Override public byte[] fgetxattr(int fd, byte[] name) throws ErrnoException { return real.fgetxattr(fd, name); }
    @Override public void fsetxattr(int fd, byte[] name, byte[] value) throws ErrnoException { mutation(); real.fsetxattr(fd, name, value); }
    @Override public void utimensat(int dirfd, byte[] path, long as, long an, long ms, long mn, int flags) throws ErrnoException { mutation(); real.utimensat(dirfd, path, as, an, ms, mn, flags); }
    @Override public int openTree(int dirfd, byte[] path, int flags) throws ErrnoException { return real.openTree(dirfd, path, flags); }
    @Override public void moveMount(int a, byte[] b, int c, byte[] d, int flags) throws ErrnoException { mutation(); real.moveMount(a, b, c, d, flags); }
    @Override public int fsopen(byte[] fsName, int flags) throws ErrnoException { return real.fsopen(fsName, flags); }
    /** Creating the superblock may write (a first mount replays the log): a mutation. */
    @Override public void fsconfig(int fd, int cmd, byte[] key, byte[] value, int aux) throws ErrnoException {
        if (cmd == Flags.FSCONFIG_CMD_CREATE) mutation();
        real.fsconfig(fd, cmd, key, value, aux);
    }
    @Override public int fsmount(int fd, int flags, int attrFlags) throws ErrnoException { return real.fsmount(fd, flags, attrFlags); }
    /** Commits a transaction: a mutation, as the btrfs tool it replaces was a step. */
    @Override public void btrfsSync(int fd) throws ErrnoException { mutation(); real.btrfsSync(fd); }
    @Override public SubvolumeInfo btrfsSubvolumeInfo(int fd) throws ErrnoException { return real.btrfsSubvolumeInfo(fd); }
    @Override public void umount2(byte[] target, int flags) throws ErrnoException { mutation(); real.umount2(target, flags); }
    @Override public void flock(int fd, int operation) throws ErrnoException { real.flock(fd, operation); }
}
