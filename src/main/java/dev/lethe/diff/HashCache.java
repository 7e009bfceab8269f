package dev.lethe.diff;

import dev.lethe.linux.Fs;
import dev.lethe.linux.Stat;
import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
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
 *
 * <p>The previous run's hashes are kept as one flat table of longs with an open-addressing index,
 * not as a map of key and value objects: a warm diff looks up a hash per package file, and 120 000
 * of them as objects were a tenth of its garbage, copied at every collection, and a chase of four
 * pointers per lookup.
 */
public final class HashCache {

    /** {@code <store>/.lethe/diff-hashes}: in the first store, so it survives the wipe. */
    public static final String FILE_NAME = "diff-hashes";

    private static final long MAGIC = 0x4c45544845484331L; // "LETHEHC1"
    private static final int RECORD = 5 * Long.BYTES + 2 * Integer.BYTES + 2 * Long.BYTES;

    /**
     * A previous record in {@link #records}: device, inode, size, mtime seconds, ctime seconds, the
     * two nanosecond fields packed (mtime's high, ctime's low), then the MD5's two halves.
     */
    private static final int LONGS = 8;
    private static final int DEVICE = 0, INODE = 1, SIZE = 2, MTIME = 3, CTIME = 4, NSECS = 5, MD5_HI = 6, MD5_LO = 7;

    /** A hash added by this run, and the key of one being written out. */
    private record Key(long device, long inode, long size, long mtimeSec, int mtimeNsec, long ctimeSec, int ctimeNsec) {
        static Key of(Stat stat) {
            return new Key(stat.device(), stat.inode(), stat.size(), stat.mtimeSec(), stat.mtimeNsec(),
                    stat.ctimeSec(), stat.ctimeNsec());
        }

        // Written out: the generated record methods go through method handles, which the launcher's
        // C1-only JIT does not inline.
        @Override
        public int hashCode() {
            return hash(device, inode, size, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && inode == k.inode && device == k.device && size == k.size
                    && ctimeSec == k.ctimeSec && ctimeNsec == k.ctimeNsec
                    && mtimeSec == k.mtimeSec && mtimeNsec == k.mtimeNsec;
        }
    }

    private record Md5(long hi, long lo) {}

    private static int hash(long device, long inode, long size, long mtimeSec, int mtimeNsec, long ctimeSec, int ctimeNsec) {
        long h = inode * 0x9E3779B97F4A7C15L + device;
        h = h * 31 + size;
        h = h * 31 + ctimeSec * 1_000_000_007L + ctimeNsec;
        h = h * 31 + mtimeSec * 1_000_000_007L + mtimeNsec;
        h ^= h >>> 29;
        return (int) (h ^ (h >>> 32));
    }

    /** The previous run's hashes, {@link #LONGS} per record, in the order of the file. */
    private final long[] records;
    private final int count;
    /** Open addressing over {@link #records}: a record's index plus one, 0 for an empty slot; a power of two long. */
    private final int[] slots;
    /**
     * The previous records this run looked up, to be saved. Set by the walkers without ordering: a
     * flag missed (none is, once the walk's pool has ended) only drops a hash from the next save,
     * so that the next run reads that file again; it never changes a verdict.
     */
    private final boolean[] used;
    /** Hashes this run read that the previous run did not record (or recorded otherwise). */
    private final Map<Key, Md5> fresh = new ConcurrentHashMap<>();
    private final long trustedBeforeSec;
    private final int trustedBeforeNsec;
    private final LongAdder hits = new LongAdder();

    private HashCache(long[] records, int count, long trustedBeforeSec, int trustedBeforeNsec) {
        this.records = records;
        this.count = count;
        this.used = new boolean[count];
        this.slots = new int[Math.max(16, Integer.highestOneBit(Math.max(1, count)) << 2)];
        this.trustedBeforeSec = trustedBeforeSec;
        this.trustedBeforeNsec = trustedBeforeNsec;
        for (int record = 0; record < count; record++) {
            int at = record * LONGS;
            int slot = find(records[at + DEVICE], records[at + INODE], records[at + SIZE], records[at + MTIME],
                    (int) (records[at + NSECS] >>> 32), records[at + CTIME], (int) records[at + NSECS]);
            if (slots[slot] == 0) {
                slots[slot] = record + 1;  // a key written twice: the first one counts
            }
        }
    }

    /**
     * A cache that knows nothing yet.
     *
     * @param trustedBeforeEpochNanos files changed (ctime) at or after this instant are never cached
     */
    public static HashCache empty(long trustedBeforeEpochNanos) {
        return new HashCache(new long[0], 0, Math.floorDiv(trustedBeforeEpochNanos, 1_000_000_000L),
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
        long[] records = new long[count * LONGS];
        for (int at = 0; at < records.length; at += LONGS) {
            records[at + DEVICE] = in.getLong();
            records[at + INODE] = in.getLong();
            records[at + SIZE] = in.getLong();
            records[at + MTIME] = in.getLong();
            long mtimeNsec = in.getInt();
            records[at + CTIME] = in.getLong();
            records[at + NSECS] = mtimeNsec << 32 | (in.getInt() & 0xFFFF_FFFFL);
            records[at + MD5_HI] = in.getLong();
            records[at + MD5_LO] = in.getLong();
        }
        return new HashCache(records, count, empty.trustedBeforeSec, empty.trustedBeforeNsec);
    }

    /**
     * The slot of the previous record with this key, or the empty slot where it would be. The table
     * is at least twice as long as the records are many, so an empty slot is always found.
     */
    private int find(long device, long inode, long size, long mtimeSec, int mtimeNsec, long ctimeSec, int ctimeNsec) {
        long nsecs = (long) mtimeNsec << 32 | (ctimeNsec & 0xFFFF_FFFFL);
        int mask = slots.length - 1;
        for (int slot = hash(device, inode, size, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec) & mask; ; slot = (slot + 1) & mask) {
            int record = slots[slot] - 1;
            if (record < 0) {
                return slot;
            }
            int at = record * LONGS;
            if (records[at + INODE] == inode && records[at + DEVICE] == device && records[at + SIZE] == size
                    && records[at + CTIME] == ctimeSec && records[at + MTIME] == mtimeSec && records[at + NSECS] == nsecs) {
                return slot;
            }
        }
    }

    /** Where a lookup of the file {@code stat} describes starts in the index: for tests that make keys meet. */
    int firstSlot(Stat stat) {
        return hash(stat.device(), stat.inode(), stat.size(), stat.mtimeSec(), stat.mtimeNsec(), stat.ctimeSec(),
                stat.ctimeNsec()) & (slots.length - 1);
    }

    /** The index of the previous record for the file {@code stat} describes, or -1. */
    private int previous(Stat stat) {
        return slots[find(stat.device(), stat.inode(), stat.size(), stat.mtimeSec(), stat.mtimeNsec(), stat.ctimeSec(),
                stat.ctimeNsec())] - 1;
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
        if (count > 0 && fresh.isEmpty() && usedCount() == count) {
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
        Map<Key, Md5> added = Map.copyOf(fresh);
        boolean[] keep = new boolean[count];
        int kept = 0;
        for (int record = 0; record < count; record++) {
            keep[record] = kept(record, added);
            kept += keep[record] ? 1 : 0;
        }
        ByteBuffer out = ByteBuffer.allocate(Long.BYTES + Integer.BYTES + (added.size() + kept) * RECORD + Long.BYTES);
        out.putLong(MAGIC).putInt(added.size() + kept);
        added.forEach((key, md5) -> write(out, key, md5.hi(), md5.lo()));
        for (int record = 0; record < count; record++) {
            if (keep[record]) {
                write(out, keyOf(record), records[record * LONGS + MD5_HI], records[record * LONGS + MD5_LO]);
            }
        }
        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, out.position());
        out.putLong(crc.getValue());
        return out.array();
    }

    /** One record as {@link #parse} reads it. */
    private static void write(ByteBuffer out, Key key, long md5Hi, long md5Lo) {
        out.putLong(key.device()).putLong(key.inode()).putLong(key.size()).putLong(key.mtimeSec()).putInt(key.mtimeNsec())
                .putLong(key.ctimeSec()).putInt(key.ctimeNsec()).putLong(md5Hi).putLong(md5Lo);
    }

    /** Whether a previous record is saved again: this run used it, and read no other hash for its key. */
    private boolean kept(int record, Map<Key, Md5> added) {
        return used[record] && !added.containsKey(keyOf(record));
    }

    private Key keyOf(int record) {
        int at = record * LONGS;
        return new Key(records[at + DEVICE], records[at + INODE], records[at + SIZE], records[at + MTIME],
                (int) (records[at + NSECS] >>> 32), records[at + CTIME], (int) records[at + NSECS]);
    }

    private int usedCount() {
        int n = 0;
        for (boolean u : used) {
            n += u ? 1 : 0;
        }
        return n;
    }

    /** What the cache knows of the file {@code stat} describes. */
    public enum Verdict { UNKNOWN, SAME, DIFFERENT }

    /**
     * Whether the MD5 recorded for the file {@code stat} describes equals {@code expected} (the two
     * halves of an MD5, big-endian); a hit keeps the hash for the next run.
     */
    public Verdict compare(Stat stat, long expectedHi, long expectedLo) {
        int record = previous(stat);
        if (record < 0) {
            return Verdict.UNKNOWN;
        }
        hits.increment();
        used[record] = true;
        int at = record * LONGS;
        return records[at + MD5_HI] == expectedHi && records[at + MD5_LO] == expectedLo ? Verdict.SAME : Verdict.DIFFERENT;
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
        int record = previous(before);
        if (record >= 0 && records[record * LONGS + MD5_HI] == value.hi() && records[record * LONGS + MD5_LO] == value.lo()) {
            used[record] = true;  // read again, and the same: as if looked up
        } else {
            fresh.put(key, value);
        }
    }

    private boolean olderThanTrusted(Stat stat) {
        return stat.ctimeSec() < trustedBeforeSec
                || (stat.ctimeSec() == trustedBeforeSec && stat.ctimeNsec() < trustedBeforeNsec);
    }

    /** How many comparisons found a hash. */
    public long hits() {
        return hits.sum();
    }

    /** How many hashes this run would save. */
    public int size() {
        int kept = 0;
        for (int record = 0; record < count; record++) {
            kept += kept(record, fresh) ? 1 : 0;
        }
        return fresh.size() + kept;
    }
}
