package dev.lethe.diff;

import static dev.lethe.linux.Syscalls.bytes;

import dev.lethe.diff.packages.Ownership;
import dev.lethe.diff.packages.PackageBaseline;
import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Progress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The adoption-mode diff (strategies "none" and "tmpfs": no blank state exists): everything on the
 * root filesystem except what the config persists, what installed packages own unchanged, and other
 * filesystems.
 *
 * <p>Everything goes through descriptors: each directory is opened with {@code openat(O_NOFOLLOW |
 * O_DIRECTORY)} relative to its parent's descriptor and every name is examined with {@code statx}
 * without following symbolic links, so a link (even one to "/") is never followed. A name on another
 * mount (another device, another mount id, or a mount root: {@code /proc}, {@code /sys}, {@code /dev},
 * {@code /run}, bind mounts) is skipped and reported nowhere.
 *
 * <ul>
 * <li>a path no package owns is {@code ADDED}; an unowned directory is reported once, as a directory
 * carrying the bytes of everything below it ({@link Result#counts()} says how many paths it holds),
 * unless something below it is persisted or ignored: then it is reported with 0 bytes and its
 * remaining contents one by one, as the overlay diff does;</li>
 * <li>an owned file whose recorded md5 differs is {@code MODIFIED "modified"} ({@code "config
 * changed"} for a conffile), one whose type differs is {@code MODIFIED "type changed"}; only files
 * with a recorded md5 are read (what {@code dpkg -V} does); a conffile without a recorded md5
 * ({@code newconffile}) is {@code MODIFIED "config changed"};</li>
 * <li>an owned directory is not a change itself; its new contents are. A package path without a
 * recorded md5 that is a directory on the root is taken as an owned directory (a package's empty
 * directories, such as {@code /proc}, are listed like its symlinks);</li>
 * <li>an owned path missing from a directory the walk lists is {@code DELETED "deleted"}, a missing
 * owned directory once with the count of owned paths it held. Only a directory the walk itself lists
 * can show that a name is missing, so nothing is claimed below another filesystem, a symbolic link
 * or a directory that could not be read.</li>
 * </ul>
 *
 * <p>A name that cannot be examined or read (EACCES, EPERM: a FUSE mount of another user, or a run
 * without root) is left out and listed in {@link Result#unreadable()}; the walk goes on.
 *
 * <p>The walk runs on one thread per core: a walker hands a subdirectory, with its open descriptor, to
 * an idle one (at most a few dozen waiting at a time) and walks the rest itself; an unowned
 * directory's figures are summed once its subdirectories' walks are joined, and the walk ends when
 * every walker is idle. Package files are hashed on other
 * threads (one per core), at most a few dozen open at a time, and a {@link HashCache} lets a second
 * run skip every file unchanged since it was hashed. The report does not depend on who walked what:
 * its changes and unreadable paths are sorted at the end.
 */
public final class RootWalk {

    private static final long DIRECTORY = Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC;
    private static final int CHUNK = 1 << 16;
    /** getdents64 d_type values (dirent.h): only a known type lets a name go without statx. */
    private static final int DT_UNKNOWN = 0, DT_DIR = 4;
    /** What {@link #openDirectory} returns for a directory that vanished, and for one it may not open. */
    private static final int GONE = -1, UNREADABLE = -2;
    /**
     * Directories nested on one thread's stack before the walk below goes on on a fresh thread: a
     * tree any user can make thousands of levels deep must not overflow a walker's stack (a level
     * takes a few frames; 256 of them fit a default stack many times over).
     */
    private static final int LEVELS_PER_STACK = 256;

    /**
     * The diff.
     *
     * @param changes    sorted by path
     * @param counts     for each directory reported as a whole (added, or deleted), the number of paths
     *                   it holds (itself included)
     * @param unreadable the paths that could not be examined or read, sorted; they are in no change
     */
    public record Result(List<Change> changes, Map<AbsolutePath, Long> counts, List<Unreadable> unreadable) {
        public Result {
            changes = List.copyOf(changes);
            counts = Map.copyOf(counts);
            unreadable = List.copyOf(unreadable);
        }

        /** How many paths a change stands for: 1, or a whole directory's count. */
        public long count(Change change) {
            return counts.getOrDefault(change.path(), 1L);
        }
    }

    /**
     * A path the walk could not look at.
     *
     * @param directory true if it is a directory whose contents could not be listed
     * @param reason    the system's answer ("EACCES, permission denied")
     */
    public record Unreadable(AbsolutePath path, boolean directory, String reason) {}

    private final Syscalls sys;
    private final PackageBaseline baseline;
    private final Filter filter;
    private final HashCache cache;
    private final List<Change> changes = Collections.synchronizedList(new ArrayList<>());
    private final Map<AbsolutePath, Long> counts = new ConcurrentHashMap<>();
    private final List<Unreadable> unreadable = Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService hashers;
    private final Semaphore inFlight;
    private final ForkJoinPool walkers;
    /** Subdirectories handed to another walker and not started yet: each holds a descriptor. */
    private final Semaphore handOffPermits;
    /** The first failure of any walker: the others stop at their next directory or name. */
    private final AtomicReference<Throwable> walkFailure = new AtomicReference<>();
    /** How many directories deep this thread's stack holds walks: see {@link #LEVELS_PER_STACK}. */
    private final ThreadLocal<int[]> levels = ThreadLocal.withInitial(() -> new int[1]);
    private final AtomicReference<IOException> hashFailure = new AtomicReference<>();
    private final ThreadLocal<Hasher> hasher = ThreadLocal.withInitial(Hasher::new);
    private final Progress progress;
    private long device;
    private long mountId;

    private RootWalk(Syscalls sys, PackageBaseline baseline, Filter filter, HashCache cache, Progress progress, int threads) {
        this.sys = sys;
        this.progress = progress;
        this.baseline = baseline;
        this.filter = filter;
        this.cache = cache;
        this.hashers = Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "lethe-diff-hash");
            thread.setDaemon(true);
            return thread;
        });
        // Each queued file holds a descriptor: bound them well below any RLIMIT_NOFILE.
        this.inFlight = new Semaphore(threads * 16);
        AtomicInteger walkerNumber = new AtomicInteger();
        this.walkers = new ForkJoinPool(threads, pool -> {
            ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            thread.setName("lethe-diff-walk-" + walkerNumber.getAndIncrement());
            return thread;
        }, null, false);
        this.handOffPermits = new Semaphore(threads * 8);
    }

    /**
     * The changes on the live root at host path {@code root} against its installed packages.
     *
     * @param baseline the packages installed on that root ({@link PackageBaseline#load})
     * @param cache    hashes of package files from an earlier run; receives this run's
     * @param progress told of every name listed, by one walker at a time
     */
    public static Result of(Syscalls sys, String root, PackageBaseline baseline, Filter filter, HashCache cache,
            Progress progress) throws IOException {
        RootWalk walk = new RootWalk(sys, baseline, filter, cache, progress,
                Math.max(1, Runtime.getRuntime().availableProcessors()));
        try {
            try (Descriptor rootFd = sys.open(Flags.AT_FDCWD, bytes(root), DIRECTORY, 0)) {
                Stat top = sys.statx(rootFd.value(), bytes(""), Flags.AT_EMPTY_PATH);
                walk.device = top.device();
                walk.mountId = top.mountId();
                try {
                    walk.walkers.invoke(walk.new Branch(rootFd.value(), false, fd -> walk.walk(fd, AbsolutePath.ROOT)));
                } finally {
                    // The branches nobody joins run on: the pool ends once they have, before the root's
                    // descriptor closes. Waiting, not helping: this thread would be a third on two cores.
                    walk.walkers.shutdown();
                    awaitEnd(walk.walkers);
                }
            } catch (RuntimeException | Error e) {
                throw ioFailure(walk.walkFailure.get() != null ? walk.walkFailure.get() : e);
            }
            if (walk.walkFailure.get() != null) {
                throw ioFailure(walk.walkFailure.get());
            }
            walk.hashers.shutdown();
            while (!walk.hashers.awaitTermination(1, TimeUnit.MINUTES)) {
                // large files on a slow disk: keep waiting
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while hashing package files under " + root, e);
        } finally {
            walk.walkers.shutdownNow();  // ended already, unless opening the root failed
            for (Runnable unstarted : walk.hashers.shutdownNow()) {
                ((RootWalk.HashJob) unstarted).abandon();  // after a failure: their descriptors
            }
            awaitEnd(walk.hashers);  // the running ones close theirs: none is left open behind the caller
        }
        if (walk.hashFailure.get() != null) {
            throw walk.hashFailure.get();
        }
        List<Change> changes = new ArrayList<>(walk.changes);
        changes.sort(Comparator.comparing(Change::path));
        List<Unreadable> unreadable = new ArrayList<>(walk.unreadable);
        unreadable.sort(Comparator.comparing(Unreadable::path));
        return new Result(changes, walk.counts, unreadable);
    }

    /** Waits for a shut down pool's threads to end, without giving up an interrupt. */
    private static void awaitEnd(ExecutorService pool) {
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** True if the name is on another filesystem or is a mount point of its own. */
    private boolean elsewhere(Stat stat) {
        return stat.device() != device || stat.mountRoot() || (mountId != 0 && stat.mountId() != mountId);
    }

    /** A directory the packages own: its names are looked up one by one, and its missing package paths noted. */
    private void walk(int dirFd, AbsolutePath dir) throws IOException {
        if (walkFailure.get() != null) {
            return;  // another walker failed: its failure ends the walk
        }
        List<Syscalls.DirEntry> entries = list(dirFd, dir);
        if (entries == null) {
            return;
        }
        List<String> owned = baseline.ownedChildren(dir.value());
        if (!owned.isEmpty()) {
            deletions(dir, owned, entries);
        }
        try {
            walkEntries(dirFd, dir, entries);
        } catch (Throwable e) {
            failed(e);
            throw e;
        }
    }

    private void walkEntries(int dirFd, AbsolutePath dir, List<Syscalls.DirEntry> entries) throws IOException {
        for (Syscalls.DirEntry child : entries) {
            if (walkFailure.get() != null) {
                return;
            }
            AbsolutePath path = dir.resolve(child.text());
            if (filter.excludes(path)) {
                continue;
            }
            Ownership owner = baseline.owner(path.value());
            if (owner.kind() == Ownership.Kind.OWNED_FILE && !owner.md5Known()
                    && child.type() != DT_UNKNOWN && child.type() != DT_DIR) {
                continue;  // a package's symlink or unchecked file: nothing to compare, no statx needed
            }
            Stat stat = stat(dirFd, child.name(), path);
            if (stat == null || elsewhere(stat)) {
                continue;
            }
            switch (owner.kind()) {
                case NOT_OWNED -> added(dirFd, child.name(), path, stat, Change.Kind.ADDED, Change.What.ADDED);
                case OWNED_DIRECTORY -> {
                    if (stat.isDirectory()) {
                        walkBelow(dirFd, child.name(), path);
                    } else {
                        changes.add(new Change(path, Change.Kind.MODIFIED, Change.What.TYPE_CHANGED, size(stat), false));
                    }
                }
                case OWNED_FILE, CONFFILE -> ownedFile(dirFd, child.name(), path, stat, owner);
            }
        }
    }

    /**
     * Walks the owned directory {@code name}, here or handed off. An owned directory's walk sums
     * nothing, so nobody joins it: a walker that waited for a branch another walker took could
     * only idle (measured: one run in three walked on one core); the walk's end waits for every
     * branch instead ({@link #of}).
     */
    private void walkBelow(int dirFd, byte[] name, AbsolutePath path) throws IOException {
        int childFd = openDirectory(dirFd, name, path);
        if (childFd >= 0) {
            descend(childFd, null, fd -> walk(fd, path));
        }
    }

    /** What a walker does with a directory's descriptor. */
    @FunctionalInterface
    private interface Body {
        void run(int fd) throws IOException;
    }

    /**
     * A subdirectory's walk, owning its descriptor (closed when the walk ends). Handed off when
     * another walker may be idle and few are pending, so that a wide tree keeps every core busy
     * without holding a descriptor per directory; walked on this thread otherwise.
     *
     * @param joinedBy where a handed-off branch goes for its caller to join; null for one nobody joins
     */
    private void descend(int fd, List<Branch> joinedBy, Body body) throws IOException {
        if (ForkJoinTask.inForkJoinPool() && ForkJoinTask.getSurplusQueuedTaskCount() < 2 && handOffPermits.tryAcquire()) {
            Branch branch = new Branch(fd, true, body);
            if (joinedBy != null) {
                joinedBy.add(branch);
            }
            branch.fork();
            return;
        }
        try (Descriptor child = Descriptor.owning(sys, fd)) {
            oneLevelDown(body, child.value());
        }
    }

    /** Runs {@code body} one directory further down this thread's stack, or on a fresh stack when it is deep. */
    private void oneLevelDown(Body body, int fd) throws IOException {
        int[] depth = levels.get();
        if (depth[0] >= LEVELS_PER_STACK) {
            onFreshStack(body, fd);
            return;
        }
        depth[0]++;
        try {
            body.run(fd);
        } finally {
            depth[0]--;
        }
    }

    /** Runs {@code body} on a thread of its own (no walker: it hands nothing off) and waits for it. */
    private void onFreshStack(Body body, int fd) throws IOException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread deeper = new Thread(() -> {
            try {
                body.run(fd);
            } catch (Throwable e) {
                thrown.set(e);
            }
        }, "lethe-diff-deep");
        deeper.start();
        boolean interrupted = false;
        while (true) {
            try {
                deeper.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;  // the thread uses the descriptor: wait for it all the same
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (thrown.get() != null) {
            throw ioFailure(thrown.get());
        }
    }

    /** Notes the first failure of the walk, which the other walkers stop at. */
    private void failed(Throwable e) {
        walkFailure.compareAndSet(null, e);
    }

    /**
     * Waits for every branch, even after one failed: none is left holding its descriptor; then
     * throws the first failure.
     */
    private static void joinAll(List<Branch> branches) throws IOException {
        Throwable failure = null;
        for (Branch branch : branches) {
            try {
                branch.join();
            } catch (Throwable e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw ioFailure(failure);
        }
    }

    /** After a failure: lets every branch end (each closes its descriptor), whatever it throws. */
    private static void awaitQuietly(List<Branch> branches) {
        for (Branch branch : branches) {
            branch.quietlyJoin();
        }
    }

    /**
     * The walk's own failure inside what the fork/join framework threw (it may wrap it again), to be
     * thrown; an unchecked one is thrown from here.
     */
    private static IOException ioFailure(Throwable thrown) {
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException io) {
                return io;
            }
        }
        if (thrown instanceof Error error) {
            throw error;
        }
        if (thrown instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        throw new IllegalStateException(thrown);
    }

    /** A walk of one directory on a walker; closes the descriptor it was given when done. */
    private final class Branch extends RecursiveAction {
        private final int fd;
        private final boolean handedOff;
        private final transient Body body;

        Branch(int fd, boolean handedOff, Body body) {
            this.fd = fd;
            this.handedOff = handedOff;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (handedOff) {
                // Walked from here on, like a directory walked in place: held for a whole subtree,
                // the permits ran out under a few long branches and one walker did the rest alone.
                handOffPermits.release();
            }
            try (Descriptor owned = handedOff ? Descriptor.owning(sys, fd) : null) {
                oneLevelDown(body, fd);  // a walker may run it on top of a deep stack while it joins
            } catch (IOException e) {
                failed(e);
                throw new UncheckedIOException(e);
            } catch (RuntimeException | Error e) {
                failed(e);
                throw e;
            }
        }
    }

    /** The owned paths of {@code dir} that its listing lacks: each a deletion, unless persisted or ignored. */
    private void deletions(AbsolutePath dir, List<String> owned, List<Syscalls.DirEntry> entries) {
        Set<String> present = HashSet.newHashSet(entries.size());
        for (Syscalls.DirEntry entry : entries) {
            present.add(entry.text());
        }
        int prefix = dir.isRoot() ? 1 : dir.value().length() + 1;
        for (String ownedPath : owned) {
            if (present.contains(ownedPath.substring(prefix))) {
                continue;
            }
            AbsolutePath path = AbsolutePath.of(ownedPath);
            if (filter.excludes(path)) {
                continue;
            }
            boolean directory = baseline.owner(ownedPath).kind() == Ownership.Kind.OWNED_DIRECTORY;
            changes.add(new Change(path, Change.Kind.DELETED, Change.What.DELETED, 0, directory));
            if (directory) {
                counts.put(path, 1 + ownedBelow(ownedPath));
            }
        }
    }

    /** How many owned paths lie below {@code directory}, leaving out persisted and ignored ones. */
    private long ownedBelow(String directory) {
        long total = 0;
        for (String child : baseline.ownedChildren(directory)) {
            if (!filter.excludes(AbsolutePath.of(child))) {
                total += 1 + ownedBelow(child);
            }
        }
        return total;
    }

    private void ownedFile(int dirFd, byte[] name, AbsolutePath path, Stat stat, Ownership owner) throws IOException {
        boolean conffile = owner.kind() == Ownership.Kind.CONFFILE;
        if (stat.isDirectory()) {
            if (!conffile && !owner.md5Known()) {
                // A directory a package lists with nothing below it (/proc, /mnt): dpkg does not say
                // "directory", so the path is a directory or a symlink, and a directory it is.
                walkBelow(dirFd, name, path);
            } else {
                added(dirFd, name, path, stat, Change.Kind.MODIFIED, Change.What.TYPE_CHANGED);
            }
            return;
        }
        if (!owner.md5Known()) {
            if (conffile) {
                changes.add(new Change(path, Change.Kind.MODIFIED, Change.What.CONFIG_CHANGED, size(stat), false));
            }
            return;  // the database records nothing to compare
        }
        if (!stat.isRegularFile()) {
            changes.add(new Change(path, Change.Kind.MODIFIED, Change.What.TYPE_CHANGED, size(stat), false));
            return;
        }
        Change ifDifferent = new Change(path, Change.Kind.MODIFIED, conffile ? Change.What.CONFIG_CHANGED : Change.What.MODIFIED,
                stat.size(), false);
        switch (cache.compare(stat, owner.md5Hi(), owner.md5Lo())) {
            case SAME -> {
                return;
            }
            case DIFFERENT -> {
                changes.add(ifDifferent);
                return;
            }
            case UNKNOWN -> {
                // read below
            }
        }
        int fd = openFile(dirFd, name, path);
        if (fd < 0) {
            return;
        }
        acquireSlot(fd);
        try {
            hashers.execute(new HashJob(fd, path, stat, owner, ifDifferent));
        } catch (RuntimeException e) {
            sys.close(fd);
            inFlight.release();
            throw e;
        }
    }

    private void acquireSlot(int fd) throws IOException {
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            sys.close(fd);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while hashing package files", e);
        }
    }

    /** A package file to hash, with its open descriptor: closed when hashed, or when abandoned unstarted. */
    private final class HashJob implements Runnable {
        private final int fd;
        private final AbsolutePath path;
        private final Stat before;
        private final Ownership expected;
        private final Change ifDifferent;

        HashJob(int fd, AbsolutePath path, Stat before, Ownership expected, Change ifDifferent) {
            this.fd = fd;
            this.path = path;
            this.before = before;
            this.expected = expected;
            this.ifDifferent = ifDifferent;
        }

        /** On a hashing thread: reads the open file to its end, closes it, and compares its MD5. */
        @Override
        public void run() {
            try {
                byte[] digest = hasher.get().md5(fd, before.size());
                Stat after = sys.statx(fd, bytes(""), Flags.AT_EMPTY_PATH);
                cache.put(before, after, digest);
                ByteBuffer halves = ByteBuffer.wrap(digest);
                if (halves.getLong() != expected.md5Hi() || halves.getLong() != expected.md5Lo()) {
                    changes.add(ifDifferent);
                }
            } catch (ErrnoException e) {
                if (deniedOrNotPermitted(e)) {
                    unreadable.add(new Unreadable(path, false, Errno.describe(e.errno())));
                } else {
                    hashFailure.compareAndSet(null, e.withPath(path.value()));
                }
            } catch (RuntimeException e) {
                hashFailure.compareAndSet(null, new IOException("hashing " + path + " failed", e));
            } finally {
                sys.close(fd);
                inFlight.release();
            }
        }

        /** The walk failed before this file's turn came. */
        void abandon() {
            sys.close(fd);
            inFlight.release();
        }
    }

    /** One hashing thread's digest and buffer. */
    private final class Hasher {
        private final byte[] buffer = new byte[CHUNK];
        private final MessageDigest md5;

        Hasher() {
            try {
                md5 = MessageDigest.getInstance("MD5");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * The MD5 of the file from offset 0 to its end. A read shorter than asked for at the size
         * statx gave is the end: that saves one read per file (most package files fit one chunk),
         * and a file still growing is caught by the statx after the read anyway.
         */
        byte[] md5(int fd, long size) throws ErrnoException {
            md5.reset();
            long offset = 0;
            while (true) {
                int n = sys.pread(fd, buffer, buffer.length, offset);
                if (n <= 0) {
                    break;
                }
                md5.update(buffer, 0, n);
                offset += n;
                if (n < buffer.length && offset == size) {
                    break;
                }
            }
            return md5.digest();
        }
    }

    /** A path no package owns (or a directory where a package file was): reported with what is below it. */
    private void added(int dirFd, byte[] name, AbsolutePath path, Stat stat, Change.Kind kind, Change.What what)
            throws IOException {
        if (!stat.isDirectory()) {
            changes.add(new Change(path, kind, what, size(stat), false));
            return;
        }
        int childFd = openDirectory(dirFd, name, path);
        if (childFd == UNREADABLE) {
            changes.add(new Change(path, kind, what, 0, true));  // there, but its contents are unknown
        }
        if (childFd < 0) {
            return;
        }
        try (Descriptor child = Descriptor.owning(sys, childFd)) {
            List<Change> parts = new ArrayList<>();
            Tally tally = new Tally();
            tally(child.value(), path, tally, parts);
            if (tally.whole) {
                changes.add(new Change(path, kind, what, tally.bytes, true));
                counts.put(path, tally.paths + 1);
            } else {
                changes.add(new Change(path, kind, what, 0, true));
                changes.addAll(parts);
            }
        }
    }

    private static final class Tally {
        long bytes;
        long paths;
        boolean whole = true;
    }

    /** An unowned subdirectory's tally and parts, filled by whichever walker walks it. */
    private static final class Subdirectory {
        final AbsolutePath path;
        final Tally tally = new Tally();
        final List<Change> parts = new ArrayList<>();

        Subdirectory(AbsolutePath path) {
            this.path = path;
        }
    }

    /**
     * Sums an unowned directory's contents into {@code tally}; {@code parts} receives the changes that
     * describe them one level at a time (each subdirectory as a whole where nothing below it is left
     * out), used only when something below is left out by the filter.
     */
    private void tally(int dirFd, AbsolutePath dir, Tally tally, List<Change> parts) throws IOException {
        if (walkFailure.get() != null) {
            return;  // another walker failed: its failure ends the walk
        }
        List<Syscalls.DirEntry> entries = list(dirFd, dir);
        if (entries == null) {
            return;
        }
        List<Subdirectory> subdirectories = new ArrayList<>();
        List<Branch> branches = new ArrayList<>();
        try {
            tallyEntries(dirFd, dir, entries, tally, parts, subdirectories, branches);
        } catch (Throwable e) {
            failed(e);
            awaitQuietly(branches);
            throw e;
        }
        joinAll(branches);  // each subdirectory's figures are complete from here on
        for (Subdirectory sub : subdirectories) {
            tally.bytes += sub.tally.bytes;
            tally.paths += sub.tally.paths + 1;
            if (sub.tally.whole) {
                parts.add(new Change(sub.path, Change.Kind.ADDED, Change.What.ADDED, sub.tally.bytes, true));
                counts.put(sub.path, sub.tally.paths + 1);
            } else {
                tally.whole = false;
                parts.add(new Change(sub.path, Change.Kind.ADDED, Change.What.ADDED, 0, true));
                parts.addAll(sub.parts);
            }
        }
        if (tally.whole) {
            // Only the directory as a whole is reported: its subdirectories' counts are not needed.
            for (Change part : parts) {
                if (part.directory()) {
                    counts.remove(part.path());
                }
            }
            parts.clear();
        }
    }

    /** The names of an unowned directory: files summed here, subdirectories tallied as branches. */
    private void tallyEntries(int dirFd, AbsolutePath dir, List<Syscalls.DirEntry> entries, Tally tally,
            List<Change> parts, List<Subdirectory> subdirectories, List<Branch> branches) throws IOException {
        for (Syscalls.DirEntry child : entries) {
            if (walkFailure.get() != null) {
                return;
            }
            AbsolutePath path = dir.resolve(child.text());
            if (filter.excludes(path)) {
                tally.whole = false;
                continue;
            }
            Stat stat = stat(dirFd, child.name(), path);
            if (stat == null || elsewhere(stat)) {
                continue;
            }
            if (!stat.isDirectory()) {
                tally.bytes += size(stat);
                tally.paths++;
                parts.add(new Change(path, Change.Kind.ADDED, Change.What.ADDED, size(stat), false));
                continue;
            }
            int childFd = openDirectory(dirFd, child.name(), path);
            if (childFd == UNREADABLE) {
                tally.paths++;  // there, but its contents are unknown
                parts.add(new Change(path, Change.Kind.ADDED, Change.What.ADDED, 0, true));
            }
            if (childFd < 0) {
                continue;
            }
            Subdirectory sub = new Subdirectory(path);
            subdirectories.add(sub);
            descend(childFd, branches, fd -> tally(fd, path, sub.tally, sub.parts));
        }
    }

    private static long size(Stat stat) {
        return stat.isRegularFile() || stat.isSymlink() ? stat.size() : 0;
    }

    private static boolean deniedOrNotPermitted(ErrnoException e) {
        return e.is(Errno.EACCES) || e.is(Errno.EPERM);
    }

    /** The names in a directory; null (and noted) if it cannot be listed. */
    private List<Syscalls.DirEntry> list(int dirFd, AbsolutePath dir) throws ErrnoException {
        try {
            List<Syscalls.DirEntry> entries = sys.listDirectory(dirFd);
            synchronized (progress) {  // a display draws from one thread at a time
                progress.advance(entries.size(), 0);
            }
            return entries;
        } catch (ErrnoException e) {
            if (deniedOrNotPermitted(e)) {
                unreadable.add(new Unreadable(dir, true, Errno.describe(e.errno())));
                return null;
            }
            throw e.withPath(dir.value());
        }
    }

    /** statx without following; null if the name vanished meanwhile or cannot be examined (noted). */
    private Stat stat(int dirFd, byte[] name, AbsolutePath path) throws ErrnoException {
        try {
            return sys.statx(dirFd, name, 0);
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT)) {
                return null;
            }
            if (deniedOrNotPermitted(e)) {
                unreadable.add(new Unreadable(path, false, Errno.describe(e.errno())));
                return null;
            }
            throw e.withPath(path.value());
        }
    }

    /**
     * The directory's descriptor; {@link #GONE} if it vanished or was replaced by something else
     * meanwhile, {@link #UNREADABLE} (noted) if it may not be opened.
     */
    private int openDirectory(int dirFd, byte[] name, AbsolutePath path) throws ErrnoException {
        try {
            return sys.openat(dirFd, name, DIRECTORY, 0);
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT) || e.is(Errno.ENOTDIR) || e.is(Errno.ELOOP)) {
                return GONE;
            }
            if (deniedOrNotPermitted(e)) {
                unreadable.add(new Unreadable(path, true, Errno.describe(e.errno())));
                return UNREADABLE;
            }
            throw e.withPath(path.value());
        }
    }

    /** A regular file's descriptor for reading, or -1 if it vanished, became a link, or cannot be opened (noted). */
    private int openFile(int dirFd, byte[] name, AbsolutePath path) throws ErrnoException {
        try {
            // The number alone: the descriptor passes to a hashing thread, which closes it when done.
            return EntryComparison.openForReading(sys, dirFd, name).value();
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT) || e.is(Errno.ELOOP)) {
                return -1;
            }
            if (deniedOrNotPermitted(e)) {
                unreadable.add(new Unreadable(path, false, Errno.describe(e.errno())));
                return -1;
            }
            throw e.withPath(path.value());
        }
    }
}
