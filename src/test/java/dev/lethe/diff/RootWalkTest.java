package dev.lethe.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.config.Config;
import dev.lethe.config.ConfigLoader;
import dev.lethe.diff.packages.PackageBaseline;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Fs;
import dev.lethe.linux.Syscalls;
import dev.lethe.linux.ffm.FfmSyscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Progress;
import dev.lethe.testing.Namespaces;
import dev.lethe.testing.Sh;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adoption-mode diff on a scratch root with a hand-built dpkg database. */
class RootWalkTest {

    @TempDir
    Path scratch;

    private Path root;

    private static String md5(String content) throws Exception {
        return HexFormat.of().formatHex(
                MessageDigest.getInstance("MD5").digest(content.getBytes(StandardCharsets.UTF_8)));
    }

    private void file(String abs, String content) throws IOException {
        Path p = root.resolve(abs.substring(1));
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    /**
     * One package, "base", installed with: /etc/app.conf and /etc/other.conf (conffiles),
     * /usr/bin/tool, /usr/bin/same, /usr/bin/was-file (with md5), /usr/bin/link (a symlink, no md5),
     * and the directories above them, /usr/share/doc, /proc and /run/base; all installed as listed.
     */
    @BeforeEach
    void buildRoot() throws Exception {
        root = Files.createDirectories(scratch.resolve("root"));
        Path info = Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.writeString(root.resolve("var/lib/dpkg/status"), """
                Package: base
                Status: install ok installed
                Architecture: amd64
                Version: 1
                Conffiles:
                 /etc/app.conf %s
                 /etc/other.conf %s
                Description: the base system

                """.formatted(md5("a=1\n"), md5("o=1\n")));
        Files.writeString(info.resolve("base.list"), """
                /.
                /etc
                /etc/app.conf
                /etc/other.conf
                /proc
                /run
                /run/base
                /usr
                /usr/bin
                /usr/bin/tool
                /usr/bin/same
                /usr/bin/was-file
                /usr/bin/link
                /usr/share
                /usr/share/doc
                /usr/share/doc/base
                /usr/share/doc/base/copyright
                /var
                /var/lib
                """);
        Files.writeString(info.resolve("base.md5sums"), md5("tool v1") + "  usr/bin/tool\n"
                + md5("same") + "  usr/bin/same\n" + md5("file") + "  usr/bin/was-file\n");
        Files.writeString(info.resolve("base.conffiles"), "/etc/app.conf\n/etc/other.conf\n");

        file("/etc/app.conf", "a=1\n");
        file("/etc/other.conf", "o=1\n");
        file("/usr/bin/tool", "tool v1");
        file("/usr/bin/same", "same");
        file("/usr/bin/was-file", "file");
        Files.createSymbolicLink(root.resolve("usr/bin/link"), Path.of("same"));
        file("/usr/share/doc/base/copyright", "(c)");
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("run/base"));
    }

    private Config config(String directories) throws Exception {
        Path toml = scratch.resolve("lethe.toml");
        Files.writeString(toml, """
                [[store]]
                path = "/persist"
                on-root = true
                directories = [%s]
                """.formatted(directories));
        return ConfigLoader.load(toml, root);
    }

    private RootWalk.Result walk(Config config, List<String> ignore) throws Exception {
        return RootWalk.of(new FfmSyscalls(), root.toString(), PackageBaseline.load(root),
                Filter.of(config.entries(), ignore, false), HashCache.empty(Long.MIN_VALUE), Progress.NONE);
    }

    private static Map<String, String> describe(RootWalk.Result result) {
        Map<String, String> described = new TreeMap<>(DiffTest.describe(result.changes()));
        result.counts().forEach((path, count) -> described.computeIfPresent(path.value(), (k, v) -> v + " " + count));
        return described;
    }

    @Test
    void packageFilesAsInstalledAreNotReported() throws Exception {
        RootWalk.Result result = walk(config(""), List.of("/var/lib/dpkg"));
        assertThat(result.changes()).isEmpty();
        assertThat(describe(walk(config(""), List.of()))).containsOnlyKeys("/var/lib/dpkg");
    }

    @Test
    void everyKindOfChangeIsReportedAndPersistedPathsAreLeftOut() throws Exception {
        file("/etc/app.conf", "a=2\n");                        // conffile edited
        file("/etc/extra", "x");                              // unowned file in an owned directory
        file("/usr/bin/tool", "tool v2 patched");             // package file modified
        Files.delete(root.resolve("usr/bin/was-file"));
        file("/usr/bin/was-file/inside", "12345");            // package file turned into a directory
        file("/opt/app/bin/run", "0".repeat(100));             // a whole unowned tree
        file("/opt/app/lib/a", "aaaaa");
        file("/opt/app/lib/b", "");
        Files.createSymbolicLink(root.resolve("opt/app/root"), Path.of("/"));
        Files.createSymbolicLink(root.resolve("usr/bin/escape"), Path.of("/"));
        file("/var/lib/keep/data", "persisted");              // persisted: never reported
        file("/srv/site/public/index.html", "hello");         // unowned, but partly persisted
        file("/srv/site/keep/secret", "persisted too");
        Sh.run("rm", "-r", root.resolve("usr/share/doc").toString());  // package directory turned into a file
        file("/usr/share/doc", "doc");

        RootWalk.Result result = walk(config("\"/var/lib/keep\", \"/srv/site/keep\""), List.of("/var/lib/dpkg"));
        assertThat(describe(result)).containsExactlyEntriesOf(new TreeMap<>(Map.ofEntries(
                Map.entry("/etc/app.conf", "modified config changed 4"),
                Map.entry("/etc/extra", "added added 1"),
                Map.entry("/opt", "added added 106 dir 8"),
                Map.entry("/srv", "added added 0 dir"),
                Map.entry("/srv/site", "added added 0 dir"),
                Map.entry("/srv/site/public", "added added 5 dir 2"),
                Map.entry("/usr/bin/escape", "added added 1"),
                Map.entry("/usr/bin/tool", "modified modified 15"),
                Map.entry("/usr/bin/was-file", "modified type changed 5 dir 2"),
                Map.entry("/usr/share/doc", "modified type changed 3"))));
        assertThat(result.changes()).extracting(Change::path).isSorted();
        assertThat(result.changes()).noneMatch(c -> c.path().startsWith(AbsolutePath.of("/var/lib/keep"))
                || c.path().startsWith(AbsolutePath.of("/srv/site/keep")));

        // The summary shows the whole new tree once, with everything below it.
        Summary.Result summary = Summary.of(result.changes(), Summary.DEFAULT_LIMIT);
        assertThat(summary.top().getFirst().path().value()).isEqualTo("/opt");
        assertThat(summary.top().getFirst().bytes()).isEqualTo(106);
    }

    @Test
    void aConffileWithoutRecordedChecksumIsShownAndAMissingOneIsNot() throws Exception {
        Files.writeString(root.resolve("var/lib/dpkg/status"), Files.readString(root.resolve("var/lib/dpkg/status"))
                .replace(" /etc/other.conf " + md5("o=1\n"), " /etc/other.conf newconffile"));
        Files.delete(root.resolve("etc/app.conf"));
        RootWalk.Result result = walk(config(""), List.of("/var/lib/dpkg"));
        assertThat(describe(result)).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "/etc/other.conf", "modified config changed 4",
                "/etc/app.conf", "deleted deleted 0")));
    }

    @Test
    void aSymlinkIsNeverFollowed() throws Exception {
        Files.createSymbolicLink(root.resolve("etc/everything"), Path.of("/"));
        Files.createSymbolicLink(root.resolve("etc/up"), Path.of("../../.."));
        Files.delete(root.resolve("usr/bin/link"));
        Files.createSymbolicLink(root.resolve("usr/bin/link"), Path.of("/etc"));  // owned, no md5: not compared
        assertThat(describe(walk(config(""), List.of("/var/lib/dpkg")))).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "/etc/everything", "added added 1", "/etc/up", "added added 8")));
    }

    @Test
    void otherMountsAreSkippedAndReportedNowhere() throws Exception {
        Namespaces.assumeMountable();
        Path proc = root.resolve("proc");
        Path data = Files.createDirectories(root.resolve("mnt/data"));
        Path bind = Files.createDirectories(root.resolve("etc/bound"));
        Sh.run("mount", "-t", "tmpfs", "lethe-walk-proc", proc.toString());
        try {
            Sh.run("mount", "-t", "tmpfs", "lethe-walk-data", data.toString());
            try {
                Sh.run("mount", "--bind", root.resolve("usr").toString(), bind.toString());
                try {
                    Files.writeString(proc.resolve("not-ours"), "pseudo");
                    Files.writeString(data.resolve("not-ours"), "another filesystem");
                    assertThat(describe(walk(config(""), List.of("/var/lib/dpkg")))).containsExactlyEntriesOf(
                            Map.of("/mnt", "added added 0 dir 1"));
                } finally {
                    Sh.run("umount", bind.toString());
                }
            } finally {
                Sh.run("umount", data.toString());
            }
        } finally {
            Sh.run("umount", proc.toString());
        }
    }

    @Test
    void missingPackagePathsAreDeletionsUnlessPersistedOrIgnored() throws Exception {
        Files.delete(root.resolve("usr/bin/tool"));
        Sh.run("rm", "-r", root.resolve("usr/share/doc").toString());  // with doc/base and doc/base/copyright
        Files.delete(root.resolve("etc/other.conf"));                   // persisted below
        Files.delete(root.resolve("usr/bin/same"));                     // ignored below
        RootWalk.Result result = walk(config("\"/etc/other.conf\""), List.of("/var/lib/dpkg", "/usr/bin/s*"));
        assertThat(describe(result)).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "/usr/bin/tool", "deleted deleted 0",
                "/usr/share/doc", "deleted deleted 0 dir 3")));
        assertThat(result.count(result.changes().getLast())).isEqualTo(3);
    }

    @Test
    void nothingIsClaimedDeletedBelowAnotherFilesystemOrABindMount() throws Exception {
        Namespaces.assumeMountable();
        Sh.run("rm", "-r", root.resolve("usr/share/doc").toString());
        Files.delete(root.resolve("run/base"));
        Map<String, String> unmounted = describe(walk(config(""), List.of("/var/lib/dpkg")));
        assertThat(unmounted).containsOnlyKeys("/usr/share/doc", "/run/base");

        Path empty = Files.createDirectories(scratch.resolve("empty"));
        Sh.run("mount", "-t", "tmpfs", "lethe-walk-run", root.resolve("run").toString());
        try {
            Sh.run("mount", "--bind", empty.toString(), root.resolve("usr/share").toString());
            try {
                assertThat(walk(config(""), List.of("/var/lib/dpkg")).changes()).isEmpty();
            } finally {
                Sh.run("umount", root.resolve("usr/share").toString());
            }
        } finally {
            Sh.run("umount", root.resolve("run").toString());
        }
    }

    /**
     * A merged-/usr root (/bin -> usr/bin) where package "shell" lists /bin/sh in the old spelling and
     * ships /usr/bin/ldd, which package "wrapper" diverts to /usr/bin/ldd.real and replaces.
     */
    @Test
    void mergedUsrAndDiversionsMakeNoFalseDeletions() throws Exception {
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
        Path dpkg = root.resolve("var/lib/dpkg");
        Files.writeString(dpkg.resolve("status"), Files.readString(dpkg.resolve("status")) + """
                Package: shell
                Status: install ok installed
                Architecture: amd64
                Version: 1

                Package: wrapper
                Status: install ok installed
                Architecture: all
                Version: 1

                """);
        Files.writeString(dpkg.resolve("info/shell.list"), "/.\n/bin\n/bin/sh\n/usr\n/usr/bin\n/usr/bin/ldd\n");
        Files.writeString(dpkg.resolve("info/shell.md5sums"), md5("sh") + "  bin/sh\n" + md5("ldd") + "  usr/bin/ldd\n");
        Files.writeString(dpkg.resolve("info/wrapper.list"), "/.\n/usr\n/usr/bin\n/usr/bin/ldd\n");
        Files.writeString(dpkg.resolve("info/wrapper.md5sums"), md5("wrapping ldd") + "  usr/bin/ldd\n");
        Files.writeString(dpkg.resolve("diversions"), "/usr/bin/ldd\n/usr/bin/ldd.real\nwrapper\n");
        file("/usr/bin/sh", "sh");
        file("/usr/bin/ldd.real", "ldd");
        file("/usr/bin/ldd", "wrapping ldd");
        assertThat(walk(config(""), List.of("/var/lib/dpkg")).changes()).isEmpty();

        // The same paths do count once they are really gone.
        Files.delete(root.resolve("usr/bin/sh"));
        Files.delete(root.resolve("usr/bin/ldd.real"));
        assertThat(describe(walk(config(""), List.of("/var/lib/dpkg")))).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "/usr/bin/ldd.real", "deleted deleted 0", "/usr/bin/sh", "deleted deleted 0")));
    }

    /**
     * Counts the files the walk opens for reading (not directories): the reads a hash cache saves; and
     * refuses the calls in {@link #deny} ("openat NAME", "statx NAME") with their errno.
     */
    private static class OpenCounter implements InvocationHandler {
        final FfmSyscalls real = new FfmSyscalls();
        final AtomicInteger fileOpens = new AtomicInteger();
        final Map<String, Integer> deny = new HashMap<>();
        /** Each read of a file's content takes a millisecond: files wait in the hashing queue. */
        boolean slowReads;

        Syscalls syscalls() {
            return (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(), new Class<?>[] {Syscalls.class}, this);
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            // open() is the port's default method around openat(): the proxy sees it, not the openat() inside it.
            boolean open = method.getName().equals("openat") || method.getName().equals("open");
            String call = open ? "openat" : method.getName();
            if ((open || call.equals("statx")) && args[1] instanceof byte[] name) {
                Integer errno = deny.get(call + " " + new String(name, StandardCharsets.UTF_8));
                if (errno != null) {
                    throw new ErrnoException(call, new String(name, StandardCharsets.UTF_8), errno);
                }
            }
            if (open && ((long) args[2] & Flags.O_DIRECTORY) == 0) {
                fileOpens.incrementAndGet();
            }
            if (slowReads && method.getName().equals("pread")) {
                Thread.sleep(1);
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /**
     * The walk tells its progress in names listed, every name of every directory it reads, from its
     * walkers, one call at a time (a display is not thread-safe).
     */
    @Test
    void theProgressCountsEveryNameTheWalkListsOneCallAtATime() throws Exception {
        file("/var/lib/app/db/big", "x".repeat(3000));  // an unowned tree: listed by the tally
        file("/var/lib/app/state", "s");
        for (int i = 0; i < 40; i++) {
            file("/srv/tree" + i + "/sub/leaf", "l");  // many directories: several walkers list at once
        }
        java.util.concurrent.atomic.AtomicLong names = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger overlaps = new java.util.concurrent.atomic.AtomicInteger();
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        dev.lethe.model.Progress counting = new dev.lethe.model.Progress() {
            @Override
            public void begin(String phase, long files, long bytes) {}

            @Override
            public void advance(long files, long bytes) {
                if (inside.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                names.addAndGet(files);
                threads.add(Thread.currentThread().getName());
                try {
                    Thread.sleep(1);  // a display drawing: another walker would arrive meanwhile
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inside.decrementAndGet();
            }

            @Override
            public void end() {}
        };
        RootWalk.of(new FfmSyscalls(), root.toString(), PackageBaseline.load(root),
                Filter.of(config("").entries(), List.of(), false), HashCache.empty(Long.MIN_VALUE), counting);
        long everyName;
        try (var paths = Files.walk(root)) {
            everyName = paths.count() - 1;  // not the root itself
        }
        assertThat(names.get()).isEqualTo(everyName);
        assertThat(overlaps.get()).isZero();
        assertThat(threads).allMatch(name -> name.startsWith("lethe-diff-walk-"));
    }

    @Test
    void aSecondRunWithTheHashCacheReadsOnlyWhatChanged() throws Exception {
        long farFuture = Long.MAX_VALUE;  // every file counts as old enough to cache
        Filter filter = Filter.of(config("").entries(), List.of("/var/lib/dpkg"), false);
        OpenCounter first = new OpenCounter();
        HashCache cache = HashCache.empty(farFuture);
        assertThat(RootWalk.of(first.syscalls(), root.toString(), PackageBaseline.load(root), filter, cache, Progress.NONE).changes())
                .isEmpty();
        assertThat(first.fileOpens.get()).as("files with a recorded md5").isEqualTo(5);

        OpenCounter second = new OpenCounter();
        HashCache reloaded = HashCache.parse(cache.serialize(), farFuture);
        assertThat(RootWalk.of(second.syscalls(), root.toString(), PackageBaseline.load(root), filter, reloaded, Progress.NONE)
                .changes()).isEmpty();
        assertThat(second.fileOpens.get()).isZero();
        assertThat(reloaded.hits()).isEqualTo(5);

        // Same size, and the mtime put back: only ctime tells, and that is enough.
        FileTime mtime = Files.getLastModifiedTime(root.resolve("usr/bin/tool"));
        Files.writeString(root.resolve("usr/bin/tool"), "tool v2");
        Files.setLastModifiedTime(root.resolve("usr/bin/tool"), mtime);
        OpenCounter third = new OpenCounter();
        HashCache again = HashCache.parse(reloaded.serialize(), farFuture);
        assertThat(describe(RootWalk.of(third.syscalls(), root.toString(), PackageBaseline.load(root), filter, again, Progress.NONE)))
                .containsExactlyEntriesOf(Map.of("/usr/bin/tool", "modified modified 7"));
        assertThat(third.fileOpens.get()).isEqualTo(1);
    }

    @Test
    void theCacheFileIsRewrittenOnlyWhenARunHashedSomethingNew() throws Exception {
        Filter filter = Filter.of(config("").entries(), List.of("/var/lib/dpkg", "/persist"), false);
        Files.createDirectories(root.resolve("persist"));
        AbsolutePath store = AbsolutePath.of("/persist");
        Path file = root.resolve("persist/.lethe/" + HashCache.FILE_NAME);
        try (Fs fs = Fs.open(new FfmSyscalls(), root.toString())) {
            HashCache first = HashCache.load(fs, store, Long.MAX_VALUE);
            RootWalk.of(new FfmSyscalls(), root.toString(), PackageBaseline.load(root), filter, first, Progress.NONE);
            assertThat(first.save(fs, store)).isTrue();
            Object written = Files.readAttributes(file, BasicFileAttributes.class).fileKey();

            HashCache second = HashCache.load(fs, store, Long.MAX_VALUE);
            RootWalk.of(new FfmSyscalls(), root.toString(), PackageBaseline.load(root), filter, second, Progress.NONE);
            assertThat(second.hits()).isEqualTo(5);
            assertThat(second.save(fs, store)).isTrue();
            assertThat(Files.readAttributes(file, BasicFileAttributes.class).fileKey())
                    .as("every hash reused, none added: the file already says this").isEqualTo(written);

            Files.writeString(root.resolve("usr/bin/tool"), "tool v2");
            HashCache third = HashCache.load(fs, store, Long.MAX_VALUE);
            RootWalk.of(new FfmSyscalls(), root.toString(), PackageBaseline.load(root), filter, third, Progress.NONE);
            assertThat(third.hits()).isEqualTo(4);
            assertThat(third.save(fs, store)).isTrue();
            assertThat(Files.readAttributes(file, BasicFileAttributes.class).fileKey()).isNotEqualTo(written);

            OpenCounter fourth = new OpenCounter();
            HashCache reloaded = HashCache.load(fs, store, Long.MAX_VALUE);
            assertThat(describe(RootWalk.of(fourth.syscalls(), root.toString(), PackageBaseline.load(root), filter,
                    reloaded, Progress.NONE))).containsExactlyEntriesOf(Map.of("/usr/bin/tool", "modified modified 7"));
            assertThat(fourth.fileOpens.get()).as("the new hash was saved").isZero();
            assertThat(reloaded.hits()).isEqualTo(5);
        }
    }

    @Test
    void aCorruptCacheIsIgnoredAndRecentFilesAreNotCached() throws Exception {
        Filter filter = Filter.of(config("").entries(), List.of("/var/lib/dpkg"), false);
        HashCache cache = HashCache.empty(Long.MAX_VALUE);
        RootWalk.of(new FfmSyscalls(), root.toString(), PackageBaseline.load(root), filter, cache, Progress.NONE);
        byte[] bytes = cache.serialize();
        bytes[20] ^= 1;
        assertThat(HashCache.parse(bytes, Long.MAX_VALUE).size()).isZero();
        OpenCounter counter = new OpenCounter();
        HashCache corrupt = HashCache.parse(bytes, Long.MAX_VALUE);
        RootWalk.of(counter.syscalls(), root.toString(), PackageBaseline.load(root), filter, corrupt, Progress.NONE);
        assertThat(corrupt.hits()).isZero();
        assertThat(counter.fileOpens.get()).isEqualTo(5);

        // Files changed after the trusted instant (all of them here: they were just written) are hashed every time.
        HashCache racy = HashCache.empty(System.currentTimeMillis() * 1_000_000L - 3_600_000_000_000L);
        RootWalk.of(new FfmSyscalls(), root.toString(), PackageBaseline.load(root), filter, racy, Progress.NONE);
        assertThat(racy.size()).isZero();
    }

    /**
     * A failure other than a refusal fails the whole walk with its path, after every descriptor is
     * closed: the subdirectories other walkers took, and the package files queued for hashing.
     */
    @Test
    void aFailureInAnyWalkerFailsTheWalkNamingThePathAndClosesEveryDescriptor() throws Exception {
        // A second package of 300 files with md5s, read slowly: at the failure, files wait in the hashing queue.
        StringBuilder list = new StringBuilder("/usr/share/bulk\n");
        StringBuilder md5sums = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            file("/usr/share/bulk/f" + i, "bulk " + i);
            list.append("/usr/share/bulk/f").append(i).append('\n');
            md5sums.append(md5("bulk " + i)).append("  usr/share/bulk/f").append(i).append('\n');
        }
        Path info = root.resolve("var/lib/dpkg/info");
        Files.writeString(info.resolve("bulk.list"), list);
        Files.writeString(info.resolve("bulk.md5sums"), md5sums);
        Files.writeString(root.resolve("var/lib/dpkg/status"), """
                Package: bulk
                Status: install ok installed
                Architecture: all
                Version: 1
                Description: many files

                """, java.nio.file.StandardOpenOption.APPEND);
        // Unowned trees, listed before the failing name (created last): handed to other walkers.
        for (int i = 0; i < 40; i++) {
            file("/srv/tree" + i + "/sub/leaf", "l");
        }
        for (String failing : List.of("/srv/broken", "/usr/share/bulk/broken")) {
            file(failing, "b");  // created last: listed after the names above
            OpenCounter failingCalls = new OpenCounter();
            failingCalls.deny.put("statx broken", Errno.EIO);
            failingCalls.slowReads = true;
            for (int round = 0; round < 5; round++) {
                assertThatThrownBy(() -> RootWalk.of(failingCalls.syscalls(), root.toString(), PackageBaseline.load(root),
                        Filter.of(config("").entries(), List.of("/var/lib/dpkg"), false), HashCache.empty(Long.MIN_VALUE),
                        Progress.NONE))
                        .isInstanceOf(ErrnoException.class)
                        .hasMessageContaining(failing);
                assertThat(descriptorsBelowRoot()).as("descriptors open after failing at %s", failing).isEmpty();
            }
            Files.delete(root.resolve(failing.substring(1)));
        }
    }

    /**
     * An Error in a walker (a bug, a stack overflow) ends the walk with that Error, once every walker
     * is done with its descriptors: none stays open and no call is made after the walk has thrown.
     */
    @Test
    void anErrorInAnyWalkerEndsTheWalkWithItAfterEveryDescriptorIsClosed() throws Exception {
        for (int i = 0; i < 40; i++) {
            file("/srv/tree" + i + "/a/b/leaf", "l");
        }
        file("/srv/tree1/a/boom", "b");
        java.util.concurrent.atomic.AtomicBoolean returned = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger callsAfter = new java.util.concurrent.atomic.AtomicInteger();
        InvocationHandler erring = new OpenCounter() {
            @Override
            public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                if (returned.get()) {
                    callsAfter.incrementAndGet();
                }
                if (method.getName().equals("statx") && args[1] instanceof byte[] name
                        && new String(name, StandardCharsets.UTF_8).equals("boom")) {
                    throw new AssertionError("a bug in a walker");
                }
                if (method.getName().equals("listDirectory")) {
                    Thread.sleep(1);  // slow listings: branches are pending when the error comes
                }
                return super.invoke(proxy, method, args);
            }
        };
        Syscalls syscalls = (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(), new Class<?>[] {Syscalls.class}, erring);
        for (int round = 0; round < 5; round++) {
            returned.set(false);
            assertThatThrownBy(() -> RootWalk.of(syscalls, root.toString(), PackageBaseline.load(root),
                    Filter.of(config("").entries(), List.of("/var/lib/dpkg"), false), HashCache.empty(Long.MIN_VALUE),
                    Progress.NONE))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("a bug in a walker");
            returned.set(true);
            assertThat(descriptorsBelowRoot()).isEmpty();
        }
        Thread.sleep(50);
        assertThat(callsAfter.get()).as("calls made after the walk threw").isZero();
        assertThat(descriptorsBelowRoot()).isEmpty();
    }

    /**
     * A tree thousands of directories deep (any user can make one: each directory is opened from its
     * parent, so no path length limits it) is walked whole: owned directories 300 deep, and below the
     * deepest an unowned chain 3 000 deep, which a walker's stack could not hold.
     */
    @Test
    void aTreeThousandsOfDirectoriesDeepIsWalkedWhole() throws Exception {
        StringBuilder list = new StringBuilder();
        StringBuilder owned = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            owned.append("/d");
            list.append("/deep").append(owned).append('\n');
        }
        Path info = root.resolve("var/lib/dpkg/info");
        Files.writeString(info.resolve("deep.list"), "/deep\n" + list);
        Files.writeString(root.resolve("var/lib/dpkg/status"), """
                Package: deep
                Status: install ok installed
                Architecture: all
                Version: 1
                Description: deeply nested directories

                """, java.nio.file.StandardOpenOption.APPEND);
        Path bottom = Files.createDirectories(root.resolve("deep" + owned));
        FfmSyscalls sys = new FfmSyscalls();
        int fd = sys.openat(Flags.AT_FDCWD, bottom.toString().getBytes(StandardCharsets.UTF_8), Flags.O_RDONLY | Flags.O_DIRECTORY, 0);
        try {
            for (int i = 0; i < 3000; i++) {
                sys.mkdirat(fd, "u".getBytes(StandardCharsets.UTF_8), 0755);
                int next = sys.openat(fd, "u".getBytes(StandardCharsets.UTF_8), Flags.O_RDONLY | Flags.O_DIRECTORY, 0);
                sys.close(fd);
                fd = next;
            }
        } finally {
            sys.close(fd);
        }
        try {
            RootWalk.Result result = walk(config(""), List.of("/var/lib/dpkg"));
            AbsolutePath chain = AbsolutePath.of("/deep" + owned + "/u");
            assertThat(describe(result)).containsExactlyEntriesOf(new TreeMap<>(Map.of(chain.value(), "added added 0 dir 3000")));
        } finally {
            Sh.run("rm", "-rf", root.resolve("deep").toString());  // too deep for the temporary directory's own cleanup
        }
    }

    /** The descriptors this JVM holds open on anything below the test's root. */
    private List<String> descriptorsBelowRoot() throws IOException {
        List<String> below = new java.util.ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(root.toString())) {
                        below.add(target);
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        return below;
    }

    @Test
    void pathsThatMayNotBeReadAreSkippedAndListed() throws Exception {
        file("/opt/locked/inside", "secret");       // a new directory that may not be opened
        file("/srv/fuse", "");                      // a name statx is refused on (a FUSE mount of another user)
        file("/srv/next", "12");
        OpenCounter denying = new OpenCounter();
        denying.deny.put("openat locked", Errno.EACCES);
        denying.deny.put("statx fuse", Errno.EPERM);
        denying.deny.put("openat tool", Errno.EACCES);     // a package file that may not be read
        RootWalk.Result result = RootWalk.of(denying.syscalls(), root.toString(), PackageBaseline.load(root),
                Filter.of(config("").entries(), List.of("/var/lib/dpkg"), false), HashCache.empty(Long.MIN_VALUE), Progress.NONE);
        assertThat(describe(result)).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "/opt", "added added 0 dir 2", "/srv", "added added 2 dir 2")));
        assertThat(result.unreadable()).containsExactly(
                new RootWalk.Unreadable(AbsolutePath.of("/opt/locked"), true, Errno.describe(Errno.EACCES)),
                new RootWalk.Unreadable(AbsolutePath.of("/srv/fuse"), false, Errno.describe(Errno.EPERM)),
                new RootWalk.Unreadable(AbsolutePath.of("/usr/bin/tool"), false, Errno.describe(Errno.EACCES)));
    }

    @Test
    void withoutAPackageDatabaseEverythingIsAdded() throws Exception {
        Path bare = Files.createDirectories(scratch.resolve("bare"));
        Files.createDirectories(bare.resolve("etc"));
        Files.writeString(bare.resolve("etc/hostname"), "box\n");
        Files.writeString(bare.resolve("top"), "t");
        RootWalk.Result result = RootWalk.of(new FfmSyscalls(), bare.toString(), PackageBaseline.load(bare),
                Filter.none(), HashCache.empty(Long.MIN_VALUE), Progress.NONE);
        assertThat(describe(result)).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "/etc", "added added 4 dir 2", "/top", "added added 1")));
    }
}
