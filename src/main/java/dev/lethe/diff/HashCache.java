package dev.lethe.diff;

import dev.lethe.linux.Fs;
import dev.lethe.linux.Stat;
import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * The MD5 of package files as last read, so that a second {@code lethe diff} reads no content that
 * has not changed since. A hash is keyed by the file's device, inode, size, mtime and ctime (both to
 * the nanosecond): user space can set mtime but not ctime, and every change to content or
 * metadata sets ctime to the current time, so an equal key means an unchanged file.
 *
 * <p>One gap remains, the one git calls "racily clean": timestamps advance in coarse ticks, so a
 * file written again within the tick it was hashed in keeps its key. A hash is therefore only
 * kept for a file whose ctime lies before {@code trustedBefore} (a couple of seconds before the
 * walk began); younger files are hashed every time.
 *
 * <p>Lookups come from the walk, additions from the hashing threads. Only the hashes looked up or
 * added by this run are saved, so files that are gone drop out.
 */
public final class HashCache {

    /** {@code <store>/.lethe/diff-hashes}: in the first store, so it survives the wipe. */
    public static final String FILE_NAME = "diff-hashes";

    private static final long MAGIC = 0x4c45544845484331L; // "LETHEHC1"
    private static final int RECORD = 5 * Long.BYTES + 2 * Integer.BYTES + 2 * Long.BYTES;

    private record Key(long device, long inode, long size, long mtimeSec, int mtimeNsec, long ctimeSec, int ctimeNsec) {
        static Key of(Stat stat) {
            return new Key(stat.device(), stat.inode(), stat.size(), stat.mtimeSec(), stat.mtimeNsec(),
                    stat.ctimeSec(), stat.ctimeNsec());
        }

        // Written out: the generated record methods go through method handles, which the launcher's
        // C1-only JIT does not inline, and a warm diff hashes a key per package file (measured: a
        // tenth of the walk).
        @Override
        public int hashCode() {
            long h = inode * 0x9E3779B97F4A7C15L + device;
            h = h * 31 + size;
            h = h * 31 + ctimeSec * 1_000_000_007L + ctimeNsec;
            h = h * 31 + mtimeSec * 1_000_000_007L + mtimeNsec;
            return (int) (h ^ (h >>> 32));
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && inode == k.inode && device == k.device && size == k.size
                    && ctimeSec == k.ctimeSec && ctimeNsec == k.ctimeNsec
                    && mtimeSec == k.mtimeSec && mtimeNsec == k.mtimeNsec;
        }
    }

    private record Md5(long hi, long lo) {}

    private final Map<Key, Md5> previous;
    private final Map<Key, Md5> current;
    private final long trustedBeforeSec;
    private final int trustedBeforeNsec;
    private final AtomicLong hits = new AtomicLong();
    /** Hashes put that the previous run did not record: none, and every recorded one used, means nothing to save. */
    private final AtomicLong added = new AtomicLong();

    private HashCache(Map<Key, Md5> previous, long trustedBeforeSec, int trustedBeforeNsec) {
        this.previous = previous;
        this.current = new ConcurrentHashMap<>(Math.max(16, previous.size() + previous.size() / 2));
        this.trustedBeforeSec = trustedBeforeSec;
        this.trustedBeforeNsec = trustedBeforeNsec;
    }

    /**
     * A cache that knows nothing yet.
     *
     * @param trustedBeforeEpochNanos files changed (ctime) at or after this instant are never cached
     */
    public static HashCache empty(long trustedBeforeEpochNanos) {
        return new HashCache(new HashMap<>(), Math.floorDiv(trustedBeforeEpochNanos, 1_000_000_000L),
                (int) Math.floorMod(trustedBeforeEpochNanos, 1_000_000_000L));
    }

    /** The cache as {@link #serialize()} wrote it; empty if the bytes are not a whole, intact cache. */
    public static HashCache parse(byte[] bytes, long trustedBeforeEpochNanos) {
        HashCache empty = empty(trustedBeforeEpochNanos);
        if (bytes.length < Long.BYTES + Integer.BYTES + Long.BYTES) {
            return empty;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (in.getLong() != MAGIC) {
            return empty;
        }
        int count = in.getInt();
        if (count < 0 || (long) count * RECORD != bytes.length - Long.BYTES - Integer.BYTES - Long.BYTES) {
            return empty;
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - Long.BYTES);
        if (ByteBuffer.wrap(bytes, bytes.length - Long.BYTES, Long.BYTES).getLong() != crc.getValue()) {
            return empty;
        }
        Map<Key, Md5> previous = HashMap.newHashMap(count);
        for (int i = 0; i < count; i++) {
            Key key = new Key(in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getInt(), in.getLong(), in.getInt());
            previous.put(key, new Md5(in.getLong(), in.getLong()));
        }
        return new HashCache(previous, empty.trustedBeforeSec, empty.trustedBeforeNsec);
    }

    /**
     * The cache kept in {@code store}'s {@code .lethe} directory on {@code fs}; empty if there is
     * none, or if it is unreadable, corrupt, or writable by anyone but its owner (a hash there
     * decides what the diff calls unchanged, so only root's own file is believed).
     */
    public static HashCache load(Fs fs, AbsolutePath store, long trustedBeforeEpochNanos) {
        AbsolutePath file = store.resolve(".lethe").resolve(FILE_NAME);
        try {
            var stat = fs.stat(file);
            if (stat.isEmpty() || !stat.get().isRegularFile() || (stat.get().permissions() & 0022) != 0
                    || stat.get().uid() != 0) {
                return empty(trustedBeforeEpochNanos);
            }
            return parse(fs.readFile(file), trustedBeforeEpochNanos);
        } catch (IOException | RuntimeException e) {
            return empty(trustedBeforeEpochNanos);  // a cache only saves time: without it the diff is the same
        }
    }

    /**
     * Writes this run's hashes to {@code store}'s {@code .lethe} directory (created root-only if
     * missing), atomically. Nothing is written when the store directory itself does not exist: a
     * diff never creates a store.
     *
     * @return false if the cache could not be written (not root, read-only store); the diff is unaffected
     */
    public boolean save(Fs fs, AbsolutePath store) {
        if (!previous.isEmpty() && added.get() == 0 && current.size() == previous.size()) {
            return true;  // every recorded hash was used and none added: the file already says this
        }
        try {
            var storeStat = fs.stat(store);
            if (storeStat.isEmpty() || !storeStat.get().isDirectory()) {
                return false;
            }
            AbsolutePath lethe = store.resolve(".lethe");
            if (fs.stat(lethe).isEmpty()) {
                fs.makeDirectory(lethe, 0, 0, 0700);
            }
            fs.writeFileAtomically(lethe.resolve(FILE_NAME), serialize(), 0600);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The hashes this run looked up or added, with a checksum over them. */
    public byte[] serialize() {
        Map<Key, Md5> snapshot = new HashMap<>(current);
        ByteBuffer out = ByteBuffer.allocate(Long.BYTES + Integer.BYTES + snapshot.size() * RECORD + Long.BYTES);
        out.putLong(MAGIC).putInt(snapshot.size());
        snapshot.forEach((key, md5) -> out.putLong(key.device()).putLong(key.inode()).putLong(key.size())
                .putLong(key.mtimeSec()).putInt(key.mtimeNsec()).putLong(key.ctimeSec()).putInt(key.ctimeNsec())
                .putLong(md5.hi()).putLong(md5.lo()));
        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, out.position());
        out.putLong(crc.getValue());
        return out.array();
    }

    /** What the cache knows of the file {@code stat} describes. */
    public enum Verdict { UNKNOWN, SAME, DIFFERENT }

    /**
     * Whether the MD5 recorded for the file {@code stat} describes equals {@code expected} (the two
     * halves of an MD5, big-endian); a hit keeps the hash for the next run.
     */
    public Verdict compare(Stat stat, long expectedHi, long expectedLo) {
        Md5 md5 = recorded(stat);
        if (md5 == null) {
            return Verdict.UNKNOWN;
        }
        return md5.hi() == expectedHi && md5.lo() == expectedLo ? Verdict.SAME : Verdict.DIFFERENT;
    }

    private Md5 recorded(Stat stat) {
        Key key = Key.of(stat);
        Md5 md5 = previous.get(key);
        if (md5 == null) {
            return null;
        }
        hits.incrementAndGet();
        current.put(key, md5);
        return md5;
    }

    /**
     * Records the MD5 of the file {@code before} described when its reading began, if {@code after}
     * (taken once it was read) shows the same file unchanged and its ctime is old enough to trust.
     */
    public void put(Stat before, Stat after, byte[] md5) {
        Key key = Key.of(before);
        if (!key.equals(Key.of(after)) || !olderThanTrusted(before)) {
            return;
        }
        ByteBuffer digest = ByteBuffer.wrap(md5);
        Md5 value = new Md5(digest.getLong(), digest.getLong());
        if (current.put(key, value) == null && !value.equals(previous.get(key))) {
            added.incrementAndGet();
        }
    }

    private boolean olderThanTrusted(Stat stat) {
        return stat.ctimeSec() < trustedBeforeSec
                || (stat.ctimeSec() == trustedBeforeSec && stat.ctimeNsec() < trustedBeforeNsec);
    }

    /** How many comparisons found a hash. */
    public long hits() {
        return hits.get();
    }

    /** How many hashes this run would save. */
    public int size() {
        return current.size();
    }
}
