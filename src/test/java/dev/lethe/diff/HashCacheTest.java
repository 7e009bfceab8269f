package dev.lethe.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.diff.HashCache.Verdict;
import dev.lethe.linux.FileType;
import dev.lethe.linux.Stat;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The hash cache's table on its own: tens of thousands of keys, each field of a key telling, what is saved. */
class HashCacheTest {

    private static final long OLD = 1_600_000_000L;  // every file's ctime: long before the trusted instant

    private static Stat file(long device, long inode, long size, long mtimeSec, int mtimeNsec, long ctimeSec, int ctimeNsec) {
        return new Stat(FileType.S_IFREG, 0644, 0, 0, size, 8, inode, 1, device, 0, 1, false, 0, 0,
                mtimeSec, mtimeNsec, ctimeSec, ctimeNsec, 0);
    }

    /**
     * Files as a package tree has them: neighbouring inodes on two devices, many of one size, mtime
     * (the package's build) older than ctime (its installation), every time field told apart.
     */
    private static List<Stat> files(int n) {
        List<Stat> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            files.add(file(i % 2 == 0 ? 2049 : 66, 1000 + i / 2, 100 + i % 7, OLD - 50, 123_000_000 + i % 5, OLD, i % 3));
        }
        return files;
    }

    private static byte[] md5(int i) {
        return ByteBuffer.allocate(16).putLong(0x1234_5678_0000_0000L + i).putLong(~(long) i).array();
    }

    private static HashCache cacheOf(List<Stat> files) {
        HashCache cache = HashCache.empty(Long.MAX_VALUE);
        for (int i = 0; i < files.size(); i++) {
            cache.put(files.get(i), files.get(i), md5(i));
        }
        return HashCache.parse(cache.serialize(), Long.MAX_VALUE);
    }

    @Test
    void everyRecordedFileIsFoundWithItsOwnHash() {
        List<Stat> files = files(50_000);
        HashCache cache = cacheOf(files);
        for (int i = 0; i < files.size(); i++) {
            ByteBuffer md5 = ByteBuffer.wrap(md5(i));
            assertThat(cache.compare(files.get(i), md5.getLong(), md5.getLong())).as("file %d", i).isEqualTo(Verdict.SAME);
            ByteBuffer other = ByteBuffer.wrap(md5(i + 1));
            assertThat(cache.compare(files.get(i), other.getLong(), other.getLong())).isEqualTo(Verdict.DIFFERENT);
        }
        assertThat(cache.hits()).isEqualTo(100_000);
    }

    /**
     * A key that differs in any one field is not the recorded file, even where its lookup starts at the
     * recorded one's slot and so compares the two keys (a changed key elsewhere in the table would
     * miss the record whatever the comparison checks).
     */
    @Test
    void aKeyThatDiffersInAnyFieldIsUnknownWhereItsLookupMeetsTheRecord() {
        Stat recorded = files(1).getFirst();
        HashCache cache = cacheOf(List.of(recorded));
        List<UnaryOperator<Stat>> changes = List.of(
                s -> file(s.device() + 1, s.inode(), s.size(), s.mtimeSec(), s.mtimeNsec(), s.ctimeSec(), s.ctimeNsec()),
                s -> file(s.device(), s.inode() + 1, s.size(), s.mtimeSec(), s.mtimeNsec(), s.ctimeSec(), s.ctimeNsec()),
                s -> file(s.device(), s.inode(), s.size() + 1, s.mtimeSec(), s.mtimeNsec(), s.ctimeSec(), s.ctimeNsec()),
                s -> file(s.device(), s.inode(), s.size(), s.mtimeSec() + 1, s.mtimeNsec(), s.ctimeSec(), s.ctimeNsec()),
                s -> file(s.device(), s.inode(), s.size(), s.mtimeSec(), s.mtimeNsec() + 1, s.ctimeSec(), s.ctimeNsec()),
                s -> file(s.device(), s.inode(), s.size(), s.mtimeSec(), s.mtimeNsec(), s.ctimeSec() + 1, s.ctimeNsec()),
                s -> file(s.device(), s.inode(), s.size(), s.mtimeSec(), s.mtimeNsec(), s.ctimeSec(), s.ctimeNsec() + 1));
        ByteBuffer md5 = ByteBuffer.wrap(md5(0));
        long hi = md5.getLong(), lo = md5.getLong();
        for (int field = 0; field < changes.size(); field++) {
            Stat changed = recorded;
            int tries = 0;
            do {  // the field changed again and again until the lookup starts where the record's does
                changed = changes.get(field).apply(changed);
                assertThat(++tries).as("field %d: no change met the record's slot", field).isLessThan(100_000);
            } while (cache.firstSlot(changed) != cache.firstSlot(recorded));
            assertThat(cache.compare(changed, hi, lo)).as("field %d changed", field).isEqualTo(Verdict.UNKNOWN);
        }
        assertThat(cache.hits()).isZero();
        assertThat(cache.compare(recorded, hi, lo)).isEqualTo(Verdict.SAME);
    }

    @Test
    void onlyWhatThisRunLookedUpOrReadIsSaved() {
        List<Stat> files = files(1_000);
        HashCache cache = cacheOf(files);
        for (int i = 0; i < 600; i++) {  // the other 400 are gone
            ByteBuffer md5 = ByteBuffer.wrap(md5(i));
            cache.compare(files.get(i), md5.getLong(), md5.getLong());
        }
        Stat added = file(2049, 999_999, 5, OLD, 0, OLD, 0);
        cache.put(added, added, md5(5));
        assertThat(cache.size()).isEqualTo(601);

        // Kept through two saves: a record written back out from the table, then read again.
        for (int generation = 0; generation < 2; generation++) {
            HashCache next = HashCache.parse(cache.serialize(), Long.MAX_VALUE);
            assertThat(next.compare(files.get(700), 0, 0)).isEqualTo(Verdict.UNKNOWN);
            for (int i = 0; i < 600; i++) {
                ByteBuffer md5 = ByteBuffer.wrap(md5(i));
                assertThat(next.compare(files.get(i), md5.getLong(), md5.getLong())).as("file %d", i).isEqualTo(Verdict.SAME);
            }
            ByteBuffer md5 = ByteBuffer.wrap(md5(5));
            assertThat(next.compare(added, md5.getLong(), md5.getLong())).isEqualTo(Verdict.SAME);
            assertThat(next.size()).isEqualTo(601);
            cache = next;
        }
    }

    @Test
    void aFileReadAgainWithAnotherHashIsSavedWithTheNewOneOnly() {
        List<Stat> files = files(10);
        HashCache cache = cacheOf(files);
        ByteBuffer old = ByteBuffer.wrap(md5(3));
        assertThat(cache.compare(files.get(3), old.getLong(), old.getLong())).isEqualTo(Verdict.SAME);
        cache.put(files.get(3), files.get(3), md5(42));
        assertThat(cache.size()).isEqualTo(1);

        HashCache next = HashCache.parse(cache.serialize(), Long.MAX_VALUE);
        assertThat(next.size()).isZero();
        ByteBuffer now = ByteBuffer.wrap(md5(42));
        assertThat(next.compare(files.get(3), now.getLong(), now.getLong())).isEqualTo(Verdict.SAME);
        assertThat(next.size()).isEqualTo(1);
    }
}
