package dev.lethe.root.zfs;

import dev.lethe.root.ProcessTools;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.cli.JsonTree;
import dev.lethe.cli.Main;
import dev.lethe.config.Config;
import dev.lethe.config.ConfigLoader;
import dev.lethe.diff.Change;
import dev.lethe.diff.DiffRig;
import dev.lethe.diff.DiffTestKnown;
import dev.lethe.diff.Filter;
import dev.lethe.model.AbsolutePath;
import dev.lethe.root.RootStrategy.WipeRequest;
import dev.lethe.testing.Sh;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * lethe diff on real ZFS (zfs-fuse): the known changes of {@link DiffRig#makeKnownChanges} made on a
 * zfs root whose blank holds DiffRig's blank files, read against clones of the blank snapshots.
 */
@ExtendWith(ZfsFuse.ForTheClass.class)
class ZfsDiffTest {

    /**
     * A second root in a {@link TestPool}'s pool, shaped like DiffRig's: {@code POOL/diffroot} mounted at
     * {@link #root}, with a child dataset {@code var} (DiffRig's var/lib, var/cache and var/log lie in
     * it), {@code @blank} taken with -r while it held DiffRig's blank; the store {@code POOL/diffstore}
     * mounted at root/persist, holding data. The config persists /var/log.
     */
    private static final class ZfsDiffRoot {
        final TestPool p;
        final String dataset;
        final Path root;
        final Path config;

        ZfsDiffRoot(TestPool p) throws Exception {
            this.p = p;
            dataset = p.pool + "/diffroot";
            root = p.scratch.resolve("diffroot");
            config = p.scratch.resolve("lethe.toml");
            p.zfs("create", "-o", "mountpoint=" + root, dataset);
            p.zfs("create", dataset + "/var");
            DiffRig.writeBlank(root);
            // The blank's files were last changed in a second before the blank was taken, as on a real
            // machine, so the diff may trust their change times.
            nextSecond();
            p.zfs("snapshot", "-r", dataset + "@blank");
            nextSecond();
            p.zfs("create", "-o", "mountpoint=" + root.resolve("persist"), p.pool + "/diffstore");
            Files.writeString(root.resolve("persist/keep.txt"), "the store's data\n");
            Files.writeString(config, """
                    [root]
                    strategy = "zfs"
                    dataset = "%s"
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log"]
                    """.formatted(dataset));
        }

        ZfsStrategy strategy() throws IOException {
            return p.strategy(dataset, "blank", root);
        }

        /**
         * The strategy as the wipe in the initrd sees this root: the store not mounted on it yet. Here the
         * store is unmounted and the wipe is given TestPool's managed root, whose /persist is a store.
         */
        ZfsStrategy wiping() throws IOException {
            return p.strategy(dataset, "blank", p.sys);
        }

        /** Wipes the root as the initrd would, then mounts the store on the fresh root again. */
        ArchiveRef wipe(Instant now) throws IOException {
            p.zfs("unmount", p.pool + "/diffstore");
            ArchiveRef archive = wiping().wipe(new WipeRequest(now, false)).archive();
            p.zfs("mount", p.pool + "/diffstore");
            return archive;
        }

        Filter filter(String... ignore) throws Exception {
            Config loaded = ConfigLoader.load(config, root);
            return Filter.of(loaded.entries(), List.of(ignore), false);
        }

        /** lethe in this JVM with --root and --config set to this root. */
        Run lethe(String... args) {
            List<String> full = new ArrayList<>(List.of(args));
            full.addAll(List.of("--root", root.toString(), "--config", config.toString()));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), full.toArray(String[]::new));
            return new Run(exit, out.toString(), err.toString());
        }

        /** lethe diff in a JVM of its own, killed just before its {@code crashAt}-th zfs command. */
        OwnJvm.Run killedDiff(int crashAt) throws Exception {
            return OwnJvm.run(crashAt, Main.class, "diff", "--root", root.toString(), "--config", config.toString());
        }

        /** The datasets lethe diff makes: none is left once it has returned. */
        List<String> diffClones() {
            return Sh.run("zfs", "list", "-H", "-o", "name", "-r", p.pool).lines()
                    .filter(name -> name.contains("/lethe-diff.")).toList();
        }
    }

    private record Run(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private static Map<String, String> describe(List<Change> changes) {
        Map<String, String> described = new TreeMap<>();
        for (Change change : changes) {
            described.put(change.path().value(), change.kind().word() + " " + change.what() + " " + change.bytes()
                    + (change.directory() ? " dir" : ""));
        }
        return described;
    }

    /** The records of lethe diff --json, described as {@link #describe} does. */
    private static Map<String, String> records(Run run) throws IOException {
        assertThat(run.exit()).as(run.all()).isZero();
        Map<String, String> records = new TreeMap<>();
        for (Object element : JsonTree.array(run.out())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> node = (Map<String, Object>) element;
            records.put((String) node.get("path"), node.get("kind") + " " + node.get("what") + " "
                    + node.get("bytes") + (Boolean.TRUE.equals(node.get("directory")) ? " dir" : ""));
        }
        return records;
    }

    private static void nextSecond() throws InterruptedException {
        Thread.sleep(1000 - System.currentTimeMillis() % 1000 + 20);
    }

    /**
     * What the diff's hint rests on (see {@link ZfsDiff}): a clone of the blank shows an untouched
     * file with the root's inode number and times, and a changed one with a later change time.
     */
    @Test
    void aCloneOfTheBlankShowsUntouchedInodesAsTheRootDoes() throws Exception {
        try (TestPool p = new TestPool()) {
            ZfsDiffRoot m = new ZfsDiffRoot(p);
            Files.writeString(m.root.resolve("etc/hostname"), "changed\n");
            Path clone = p.scratch.resolve("clone");
            p.zfs("clone", "-o", "mountpoint=" + clone, "-o", "readonly=on", m.dataset + "@blank", p.pool + "/probe");
            if (p.get("mounted", p.pool + "/probe").equals("no")) {
                p.zfs("mount", p.pool + "/probe");
            }
            java.nio.file.LinkOption noFollow = java.nio.file.LinkOption.NOFOLLOW_LINKS;
            for (String path : List.of("etc/motd", "etc/dirA", "etc/link", "etc/hostname")) {
                Map<String, Object> live = Files.readAttributes(m.root.resolve(path), "unix:ino,ctime,lastModifiedTime", noFollow);
                Map<String, Object> blank = Files.readAttributes(clone.resolve(path), "unix:ino,ctime,lastModifiedTime", noFollow);
                assertThat(live.get("ino")).as(path).isEqualTo(blank.get("ino"));
                if (path.equals("etc/hostname")) {
                    assertThat(live.get("ctime")).as(path).isNotEqualTo(blank.get("ctime"));
                } else {
                    assertThat(live).as(path).isEqualTo(blank);
                }
            }
            new Zfs(ProcessTools.INSTANCE).run(List.of("zfs", "destroy", "-r", p.pool + "/probe"));  // again while zfs-fuse calls it busy
        }
    }

    @Test
    void aDatasetNamedLikeTheCloneItWouldMakeIsNeverDestroyed() throws Exception {
        try (TestPool p = new TestPool()) {
            ZfsDiffRoot m = new ZfsDiffRoot(p);
            // Named as this process's clone would be, with a snapshot in it, but not lethe's: no mark.
            String stranger = p.pool + "/lethe-diff." + m.dataset.substring(m.dataset.lastIndexOf('/') + 1) + "."
                    + ProcessHandle.current().pid();
            p.zfs("create", stranger);
            p.zfs("snapshot", stranger + "@precious");

            assertThatThrownBy(() -> m.strategy().diff(m.root, m.filter())).hasMessageContaining(stranger)
                    .hasMessageContaining("does not destroy it");

            assertThat(Sh.run("zfs", "list", "-H", "-o", "name", "-t", "all", "-r", stranger).lines())
                    .containsExactly(stranger, stranger + "@precious");
        }
    }

    @Test
    void anUntouchedRootHasNothingToForget() throws Exception {
        try (TestPool p = new TestPool()) {
            ZfsDiffRoot m = new ZfsDiffRoot(p);
            Sh.run("sh", "-c", "cat " + m.root + "/etc/hostname > /dev/null && ls -R " + m.root + " > /dev/null");
            assertThat(m.strategy().diff(m.root, m.filter()).orElseThrow()).isEmpty();
            assertThat(m.diffClones()).isEmpty();
        }
    }

    @Test
    void theDiffIsExactlyTheKnownChangesAndNothingPersisted() throws Exception {
        try (TestPool p = new TestPool()) {
            ZfsDiffRoot m = new ZfsDiffRoot(p);
            String blankBefore = p.zfs("get", "-H", "-p", "-o", "property,value", "referenced,creation,guid",
                    m.dataset + "@blank", m.dataset + "/var@blank");
            DiffRig.makeKnownChanges(m.root);

            List<Change> changes = m.strategy().diff(m.root, m.filter("/var/cache/**")).orElseThrow();

            assertThat(describe(changes)).containsExactlyEntriesOf(DiffTestKnown.KNOWN);
            assertThat(changes).noneMatch(c -> c.path().startsWith(AbsolutePath.of("/var/log"))
                    || c.path().startsWith(AbsolutePath.of("/persist")));
            assertThat(changes).extracting(Change::path).isSorted();
            assertThat(m.diffClones()).as("the clones of the blank are destroyed").isEmpty();
            assertThat(p.zfs("get", "-H", "-p", "-o", "property,value", "referenced,creation,guid",
                    m.dataset + "@blank", m.dataset + "/var@blank")).as("the blank").isEqualTo(blankBefore);
            // Without the glob, the ignored cache shows, named by its path on the root though it lies in var.
            Map<String, String> all = describe(m.strategy().diff(m.root, m.filter()).orElseThrow());
            Map<String, String> expected = new TreeMap<>(DiffTestKnown.KNOWN);
            expected.put("/var/cache/app", "added added 0 dir");
            expected.put("/var/cache/app/blob", "added added 2");
            assertThat(all).containsExactlyEntriesOf(expected);
        }
    }

    @Test
    void aDatasetMadeAfterTheBlankIsAllNewAndAPersistedOneIsLeftOut() throws Exception {
        try (TestPool p = new TestPool()) {
            ZfsDiffRoot m = new ZfsDiffRoot(p);
            p.zfs("create", m.dataset + "/srv");
            Files.createDirectories(m.root.resolve("srv/www"));
            Files.writeString(m.root.resolve("srv/www/index.html"), "hello\n");
            p.zfs("create", m.dataset + "/var/log");
            Files.writeString(m.root.resolve("var/log/syslog"), "persisted\n");

            Map<String, String> described = describe(m.strategy().diff(m.root, m.filter()).orElseThrow());

            assertThat(described).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                    "/srv", "added added 0 dir",
                    "/srv/www", "added added 0 dir",
                    "/srv/www/index.html", "added added 6")));
            assertThat(m.diffClones()).isEmpty();
        }
    }

    @Test
    void theCliDiffsTheCurrentBootAndThenItsArchive() throws Exception {
        try (TestPool p = new TestPool()) {
            ZfsDiffRoot m = new ZfsDiffRoot(p);
            DiffRig.makeKnownChanges(m.root);
            assertThat(records(m.lethe("diff", "--json", "--ignore", "/var/cache/**")))
                    .containsExactlyEntriesOf(DiffTestKnown.KNOWN);

            ArchiveRef archive = m.wipe(Instant.now());
            String id = archive.id();

            Run fresh = m.lethe("diff");
            assertThat(fresh.exit()).as(fresh.all()).isZero();
            assertThat(fresh.out()).contains("Nothing to forget");
            assertThat(records(m.lethe("diff", "--archive", id, "--json", "--ignore", "/var/cache/**")))
                    .containsExactlyEntriesOf(DiffTestKnown.KNOWN);
            Run text = m.lethe("diff", "--archive", id, "--ignore", "/var/cache/**");
            assertThat(text.exit()).as(text.all()).isZero();
            assertThat(text.out()).contains("/var/lib/foo", "17 paths").doesNotContain("/var/log", "/persist");
            assertThat(m.diffClones()).isEmpty();
            assertThat(p.get("mounted", p.pool + "/lethe-archives/" + id)).as("read() unmounted it").isEqualTo("no");
        }
    }

    @Test
    void aCloneLeftByAKilledDiffIsDestroyedByTheNextDiffAndByAWipe() throws Exception {
        try (TestPool p = new TestPool()) {
            ZfsDiffRoot m = new ZfsDiffRoot(p);
            DiffRig.makeKnownChanges(m.root);
            // Not a lethe diff's clones: one not marked, one marked by a process that still runs.
            String foreign = p.pool + "/lethe-diff.diffroot.1";
            p.zfs("clone", "-o", "mountpoint=none", m.dataset + "@blank", foreign);
            String running = p.pool + "/lethe-diff.diffroot.2";
            ProcessHandle self = ProcessHandle.current();
            String namespace = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString().replaceAll("[^0-9]", "");
            p.zfs("clone", "-o", "mountpoint=none", "-o", "lethe:diff-of=" + m.dataset, "-o", "lethe:diff-by=" + self.pid()
                    + "@" + self.info().startInstant().orElseThrow().toEpochMilli() + "@" + namespace,
                    m.dataset + "@blank", running);
            // Marked by a process of another PID namespace (a container): its pid means nothing here.
            String contained = p.pool + "/lethe-diff.diffroot.3";
            p.zfs("clone", "-o", "mountpoint=none", "-o", "lethe:diff-of=" + m.dataset, "-o", "lethe:diff-by=999999@1@1",
                    m.dataset + "@blank", contained);

            // Killed before its third zfs command: after the clones of the root's and var's blanks, before their destroy.
            OwnJvm.Run killed = m.killedDiff(3);
            assertThat(killed.exit()).as(killed.output()).isEqualTo(137);
            List<String> left = m.diffClones().stream()
                    .filter(name -> !name.equals(foreign) && !name.equals(running) && !name.equals(contained)).toList();
            assertThat(left).as("the killed diff's clones").hasSize(2);

            assertThat(describe(m.strategy().diff(m.root, m.filter("/var/cache/**")).orElseThrow()))
                    .containsExactlyEntriesOf(DiffTestKnown.KNOWN);
            assertThat(m.diffClones()).containsExactlyInAnyOrder(foreign, running, contained);

            assertThat(m.killedDiff(3).exit()).isEqualTo(137);
            String leftover = m.diffClones().stream()
                    .filter(name -> !name.equals(foreign) && !name.equals(running) && !name.equals(contained))
                    .filter(name -> !name.substring(p.pool.length() + 1).contains("/")).findFirst().orElseThrow();
            List<String> plan = m.wiping().planWipe(new WipeRequest(Instant.now(), false)).sentences();
            assertThat(plan.getFirst()).startsWith("destroy " + leftover + ", a clone of " + m.dataset + "@blank");
            m.wipe(Instant.now());
            assertThat(m.diffClones()).containsExactlyInAnyOrder(foreign, running, contained);
        }
    }
}
