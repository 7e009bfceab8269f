package dev.lethe.diff.packages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.diff.packages.BaselineCache.Outcome;
import dev.lethe.linux.Fs;
import dev.lethe.linux.ffm.FfmSyscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.testing.Namespaces;
import dev.lethe.testing.Sh;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parsed dpkg database kept in a store: a hit answers as a parse does, any change to the
 * database's files misses, and a damaged, foreign or unwritable cache changes nothing but the time.
 * Each test reads a real (small) dpkg database written into a temporary root.
 */
class BaselineCacheTest {

    @TempDir
    Path root;

    private final AbsolutePath store = AbsolutePath.of("/persist");
    private Fs live;
    private Path info;
    private Path cacheFile;
    /** Every file of the test database is older than this: a parse may be kept. */
    private final long settled = System.currentTimeMillis() * 1_000_000L + 60_000_000_000L;

    @BeforeEach
    void database() throws Exception {
        Files.createDirectories(root.resolve("persist"));
        Files.createDirectories(root.resolve("usr/bin"));
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
        info = Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        cacheFile = root.resolve("persist/.lethe/" + BaselineCache.FILE_NAME);
        Files.writeString(root.resolve("var/lib/dpkg/status"), status("coreutils", "libc6", "tools"));
        list("coreutils", "/.", "/bin", "/bin/ls", "/bin/cat", "/etc", "/etc/coreutils.conf", "/usr", "/usr/bin");
        sums("coreutils", "bin/ls", "bin/cat");
        list("libc6:amd64", "/.", "/usr", "/usr/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu/libc.so.6",
                "/usr/bin/ldd", "/usr/share/doc/libc6/copyright");  // /usr/share, /usr/share/doc listed by nobody
        sums("libc6:amd64", "usr/lib/x86_64-linux-gnu/libc.so.6", "usr/bin/ldd");
        list("tools", "/usr/bin/tool", "/usr/bin/ldd", "/opt/tools/bin/run");
        sums("tools", "usr/bin/tool");
        list("removed", "/usr/share/removed/data");  // not installed: owns nothing
        Files.writeString(root.resolve("var/lib/dpkg/diversions"), "/usr/bin/ldd\n/usr/bin/ldd.real\ntools\n");
        live = Fs.open(new FfmSyscalls(), root.toString());
    }

    @AfterEach
    void close() {
        live.close();
    }

    private static String status(String... installed) throws Exception {
        StringBuilder s = new StringBuilder();
        for (String name : installed) {
            s.append("Package: ").append(name).append("\nStatus: install ok installed\nArchitecture: ")
                    .append(name.equals("libc6") ? "amd64" : "all").append("\nVersion: 1\n");
            if (name.equals("coreutils")) {
                s.append("Conffiles:\n /etc/coreutils.conf ").append(PackageBaselineTest.md5("conf")).append('\n');
            }
            s.append('\n');
        }
        return s + "Package: removed\nStatus: deinstall ok config-files\nArchitecture: all\nVersion: 1\n\n";
    }

    private void list(String pkg, String... paths) throws Exception {
        Files.writeString(info.resolve(pkg + ".list"), String.join("\n", paths) + "\n");
    }

    private void sums(String pkg, String... relative) throws Exception {
        StringBuilder s = new StringBuilder();
        for (String path : relative) {
            s.append(PackageBaselineTest.md5(pkg + " " + path)).append("  ").append(path).append('\n');
        }
        Files.writeString(info.resolve(pkg + ".md5sums"), s);
    }

    /** As dpkg replaces a database file: a new file renamed over the old one. */
    private void replace(Path file, String content) throws Exception {
        Path fresh = file.resolveSibling(file.getFileName() + "-new");
        Files.writeString(fresh, content);
        Files.move(fresh, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private BaselineCache.Loaded load() {
        return BaselineCache.load(live, root, Optional.of(store), settled);
    }

    /** Everything a walk asks of a baseline, for every owned path and a few that are not. */
    private static TreeMap<String, String> answers(PackageBaseline baseline) {
        Set<String> asked = new HashSet<>(baseline.ownedPaths());
        asked.addAll(List.of("/", "/usr/share", "/usr/share/doc", "/usr/share/doc/libc6", "/opt", "/bin/ls", "/bin", "/usr/bin/ldd",
                "/usr/share/removed/data", "/nowhere", "/usr/bin/unowned"));
        TreeMap<String, String> answers = new TreeMap<>();
        for (String path : asked) {
            answers.put(path, baseline.owner(path) + " children " + new java.util.TreeSet<>(baseline.ownedChildren(path)));
        }
        answers.put("(summary)", baseline.size() + " paths, " + baseline.managers() + ", " + baseline.unsupportedManagers()
                + ", " + new java.util.TreeSet<>(baseline.ownedPaths()));
        return answers;
    }

    @Test
    void aHitAnswersEveryQueryAsTheParseDoes() throws Exception {
        BaselineCache.Loaded first = load();
        assertThat(first.outcome()).isEqualTo(Outcome.REBUILT);
        assertThat(cacheFile).isRegularFile();
        BaselineCache.Loaded second = load();
        assertThat(second.outcome()).isEqualTo(Outcome.HIT);
        TreeMap<String, String> parsed = answers(PackageBaseline.load(root));
        assertThat(answers(second.baseline())).isEqualTo(parsed).isEqualTo(answers(first.baseline()));
        // The database's shape survives: a diversion, a merged-/usr spelling, a parent nobody lists.
        PackageBaseline hit = second.baseline();
        assertThat(hit.owner("/usr/bin/ldd.real").pkg()).isEqualTo("libc6");
        assertThat(hit.owner("/bin/ls")).isEqualTo(hit.owner("/usr/bin/ls"));
        assertThat(hit.owner("/usr/bin/ls").md5()).isEqualTo(PackageBaselineTest.md5("coreutils bin/ls"));
        assertThat(hit.owner("/etc/coreutils.conf").kind()).isEqualTo(Ownership.Kind.CONFFILE);
        assertThat(hit.owner("/usr/share/doc/libc6").owned()).isFalse();
        assertThat(hit.ownedChildren("/usr/share/doc/libc6")).containsExactly("/usr/share/doc/libc6/copyright");
        assertThat(hit.size()).isEqualTo(PackageBaseline.load(root).size()).isGreaterThan(15);
    }

    @Test
    void noStoreMeansNoCache() {
        BaselineCache.Loaded loaded = BaselineCache.load(live, root, Optional.empty(), settled);
        assertThat(loaded.outcome()).isEqualTo(Outcome.UNCACHED);
        assertThat(root.resolve("persist/.lethe")).doesNotExist();
        assertThat(answers(loaded.baseline())).isEqualTo(answers(PackageBaseline.load(root)));
    }

    @Test
    void aDatabaseJustWrittenIsNotKept() {
        // ctime newer than the trusted instant: a rewrite within the same tick could go unseen.
        long trustedLongAgo = (System.currentTimeMillis() - 3_600_000) * 1_000_000L;
        assertThat(BaselineCache.load(live, root, Optional.of(store), trustedLongAgo).outcome()).isEqualTo(Outcome.UNCACHED);
        assertThat(cacheFile).doesNotExist();
    }

    /** A change to the database, and what a correct baseline says after it. */
    private interface Change {
        void make() throws Exception;
    }

    private void missesAfter(Change change, String path, boolean ownedAfter) throws Exception {
        assertThat(load().outcome()).isEqualTo(Outcome.REBUILT);
        assertThat(load().outcome()).isEqualTo(Outcome.HIT);
        change.make();
        BaselineCache.Loaded after = load();
        assertThat(after.outcome()).as("the cache of the database before the change").isEqualTo(Outcome.REBUILT);
        assertThat(after.baseline().owner(path).owned()).isEqualTo(ownedAfter);
        assertThat(answers(after.baseline())).isEqualTo(answers(PackageBaseline.load(root)));
        assertThat(load().outcome()).as("rewritten for the new database").isEqualTo(Outcome.HIT);
    }

    @Test
    void aListReplacedAsDpkgDoesMisses() throws Exception {
        missesAfter(() -> replace(info.resolve("tools.list"), "/usr/bin/tool\n/usr/bin/ldd\n/opt/tools/bin/new\n"),
                "/opt/tools/bin/new", true);
    }

    @Test
    void aListAppendedToInPlaceMisses() throws Exception {
        missesAfter(() -> Files.writeString(info.resolve("tools.list"), "/usr/bin/extra\n",
                java.nio.file.StandardOpenOption.APPEND), "/usr/bin/extra", true);
    }

    @Test
    void aListAddedMisses() throws Exception {
        // A multi-arch list beside the plain one: the parse now reads "tools:all.list".
        missesAfter(() -> Files.writeString(info.resolve("tools:all.list"), "/usr/bin/other\n"), "/usr/bin/other", true);
    }

    @Test
    void aListRemovedMisses() throws Exception {
        missesAfter(() -> Files.delete(info.resolve("tools.list")), "/opt/tools/bin/run", false);
    }

    @Test
    void anMd5sumsChangedMisses() throws Exception {
        missesAfter(() -> replace(info.resolve("tools.md5sums"), PackageBaselineTest.md5("x") + "  opt/tools/bin/run\n"),
                "/opt/tools/bin/run", true);
        assertThat(load().baseline().owner("/opt/tools/bin/run").md5()).isEqualTo(PackageBaselineTest.md5("x"));
    }

    @Test
    void anMd5sumsRemovedMisses() throws Exception {
        missesAfter(() -> Files.delete(info.resolve("tools.md5sums")), "/usr/bin/tool", true);
        assertThat(load().baseline().owner("/usr/bin/tool").md5()).isNull();
    }

    @Test
    void theStatusChangedMisses() throws Exception {
        missesAfter(() -> replace(root.resolve("var/lib/dpkg/status"), status("coreutils", "libc6")), "/usr/bin/tool", false);
    }

    @Test
    void theDiversionsChangedMisses() throws Exception {
        missesAfter(() -> Files.delete(root.resolve("var/lib/dpkg/diversions")), "/usr/bin/ldd.real", false);
    }

    @Test
    void aTopLevelLinkChangedMisses() throws Exception {
        // /opt made a link: /opt/tools/bin/run is now spelled /usr/lib/opt/tools/bin/run.
        missesAfter(() -> Files.createSymbolicLink(root.resolve("opt"), Path.of("usr/lib/opt")),
                "/usr/lib/opt/tools/bin/run", true);
    }

    @Test
    void aDamagedCacheIsIgnoredAndRewritten() throws Exception {
        assertThat(load().outcome()).isEqualTo(Outcome.REBUILT);
        byte[] good = Files.readAllBytes(cacheFile);
        TreeMap<String, String> parsed = answers(PackageBaseline.load(root));
        List<byte[]> damaged = new ArrayList<>();
        damaged.add(new byte[0]);
        damaged.add(java.util.Arrays.copyOf(good, good.length / 2));
        damaged.add(java.util.Arrays.copyOf(good, good.length - 1));
        damaged.add(java.util.Arrays.copyOf(good, good.length + 1));
        for (int at : new int[] {0, 9, 20, good.length / 2, good.length - 5, good.length - 1}) {
            byte[] flipped = good.clone();
            flipped[at] ^= 0x10;
            damaged.add(flipped);
        }
        byte[] garbage = new byte[good.length];
        new Random(11).nextBytes(garbage);
        damaged.add(garbage);
        damaged.add(otherFormat(good));
        for (byte[] bytes : damaged) {
            Files.write(cacheFile, bytes);
            BaselineCache.Loaded loaded = load();
            assertThat(loaded.outcome()).as("a cache of %d bytes", bytes.length).isEqualTo(Outcome.REBUILT);
            assertThat(answers(loaded.baseline())).isEqualTo(parsed);
            assertThat(Files.readAllBytes(cacheFile)).as("written again").isEqualTo(good);
        }
    }

    /** The same cache, its format number changed and its checksum made right again. */
    private static byte[] otherFormat(byte[] good) {
        byte[] other = good.clone();
        ByteBuffer.wrap(other).putInt(Long.BYTES, BaselineCache.FORMAT + 1);
        CRC32C crc = new CRC32C();
        crc.update(other, 0, other.length - Integer.BYTES);
        ByteBuffer.wrap(other).putInt(other.length - Integer.BYTES, (int) crc.getValue());
        return other;
    }

    @Test
    void everyTruncationAndEveryBitFlipIsRefused() throws Exception {
        assertThat(load().outcome()).isEqualTo(Outcome.REBUILT);
        byte[] good = Files.readAllBytes(cacheFile);
        byte[] key = BaselineCache.key(live, root, settled).orElseThrow().bytes();
        assertThat(BaselineCache.decode(good, key)).as("the intact cache").isPresent();
        for (int length = 0; length < good.length; length++) {
            assertThat(BaselineCache.decode(java.util.Arrays.copyOf(good, length), key)).as("cut to %d", length).isEmpty();
        }
        for (int bit = 0; bit < good.length * 8; bit++) {
            byte[] flipped = good.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(BaselineCache.decode(flipped, key)).as("bit %d flipped", bit).isEmpty();
        }
        assertThat(BaselineCache.decode(otherFormat(good), key)).as("another format").isEmpty();
        byte[] otherKey = key.clone();
        otherKey[otherKey.length - 1] ^= 1;
        assertThat(BaselineCache.decode(good, otherKey)).as("another database").isEmpty();
    }

    @Test
    void aCacheOthersCouldWriteIsNotBelieved() throws Exception {
        assertThat(load().outcome()).isEqualTo(Outcome.REBUILT);
        Files.setPosixFilePermissions(cacheFile, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThat(load().outcome()).isEqualTo(Outcome.REBUILT);
        assertThat(Files.getPosixFilePermissions(cacheFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Sh.run("chown", "65534", cacheFile.toString());
        assertThat(load().outcome()).as("not root's").isEqualTo(Outcome.REBUILT);
        assertThat(load().outcome()).isEqualTo(Outcome.HIT);
    }

    @Test
    void aStoreThatCannotBeWrittenLeavesTheBaselineAsParsed() throws Exception {
        Namespaces.assumeMountable();
        Path persist = root.resolve("persist");
        Sh.run("mount", "-t", "tmpfs", "-o", "ro", "lethe-baseline-ro", persist.toString());
        try {
            BaselineCache.Loaded loaded = load();
            assertThat(loaded.outcome()).isEqualTo(Outcome.UNCACHED);
            assertThat(answers(loaded.baseline())).isEqualTo(answers(PackageBaseline.load(root)));
            assertThat(persist.resolve(".lethe")).doesNotExist();
        } finally {
            Sh.run("umount", persist.toString());
        }
    }

    @Test
    void aRootWithPacmanTooIsParsedEveryTime() throws Exception {
        Path pkg = Files.createDirectories(root.resolve("var/lib/pacman/local/nano-8.0-1"));
        Files.writeString(pkg.resolve("files"), "%FILES%\nusr/bin/nano\n\n");
        BaselineCache.Loaded loaded = load();
        assertThat(loaded.outcome()).isEqualTo(Outcome.UNCACHED);
        assertThat(loaded.baseline().managers()).containsExactly("dpkg", "pacman");
        assertThat(cacheFile).doesNotExist();
    }
}
