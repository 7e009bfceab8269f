package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.CrashSearch;
import dev.lethe.testing.Machine;
import dev.lethe.testing.Machine.Disk;
import dev.lethe.testing.Sh;
import dev.lethe.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Regressions for defects a review found in the safety invariants (DESIGN.md), each against real
 * mounts: staging in a user-writable place, a resumed migration deleting what was written after
 * the copy, a journal record finished in the wrong store, unmounting mounts lethe did not make,
 * acting on a store whose disk is not mounted, a resumed migration skipping the declared mode,
 * crashes leaving wrong owners, and chowning a hard-linked file.
 *
 * <p>("apply --boot initrd after a full apply leaves the system stage mounted" is
 * {@code CliTest.applyAtInitrdDoesTheInitrdEntriesOnly}.)
 */
class SafetyRegressionTest {

    private static final String APP = """
            [[store]]
            path = "/persist"
            directories = ["/var/lib/app"]
            """;

    // ---- a cross-filesystem migration crashed at a chosen point -------------------------------------

    /** /var/lib/app with a few files, to be migrated onto a disk of its own (a copy, not a rename). */
    private static Machine appWithData(String config) throws Exception {
        Machine m = new Machine(Disk.TMPFS);
        m.config(config);
        m.write("/var/lib/app/db", "v1\n");
        m.write("/var/lib/app/log/0001", "first entry\n");
        m.write("/var/lib/app/log/0002", "second entry\n");
        Sh.run("chmod", "0755", m.at("/var/lib/app").toString());
        return m;
    }

    /** The record of an interrupted migration is in this store (its disk directory). */
    private static boolean hasRecord(Path storeDisk) throws IOException {
        Path migrations = storeDisk.resolve(".lethe/migrations");
        if (!Files.isDirectory(migrations)) {
            return false;
        }
        try (Stream<Path> records = Files.list(migrations)) {
            return records.anyMatch(p -> !p.getFileName().toString().startsWith("."));
        }
    }

    /**
     * True from the moment the journal record is written on: the record exists, or the copy is
     * already in place in the store (which happens only after the record). Monotone in the crash point.
     */
    private static CrashSearch.Condition journaled(String storePath) {
        return m -> hasRecord(m.disk) || Files.exists(m.disk.resolve(storePath.substring(1)), LinkOption.NOFOLLOW_LINKS);
    }

    /** A machine of {@code scenario} whose apply was killed right after the journal record was written. */
    private static Machine crashedRightAfterTheJournal(CrashSearch.Scenario scenario, String storePath) throws Exception {
        long n = CrashSearch.first(scenario, journaled(storePath));
        Machine m = scenario.build();
        assertThat(CrashSearch.crash(m, n)).as("killed at mutation %d", n).isTrue();
        assertThat(hasRecord(m.disk)).as("journal record after a crash at %d", n).isTrue();
        assertThat(m.disk.resolve(storePath.substring(1))).as("the copy is still in staging").doesNotExist();
        return m;
    }

    // ---- staging lives in the store's root-only .lethe/staging ----------------------------------

    @Test
    void aCrossFilesystemCopyIsStagedInTheStoresRootOnlyDirectoryNeverInAUsersDirectory() throws Exception {
        CrashSearch.Scenario scenario = () -> {
            Machine m = new Machine(Disk.TMPFS);
            m.config("""
                    [[store]]
                    path = "/persist"
                    [store.users.alice]
                    directories = [".local/share/app"]
                    """);
            Path app = m.at("/home/alice/.local/share/app");
            Trees.generate(app, 60, 11);
            for (String dir : List.of("/home/alice/.local", "/home/alice/.local/share", "/home/alice/.local/share/app")) {
                Sh.run("chown", "1000:1000", m.at(dir).toString());
            }
            return m;
        };
        // Wherever the copy is staged, it is the first regular file on the disk (the journal record comes later).
        CrashSearch.Condition copying = m -> countFiles(m.disk) > 0 || journaled("/home/alice/.local/share/app").holds(m);
        long copyStarts = CrashSearch.first(scenario, copying);
        long journalWritten = CrashSearch.first(scenario, journaled("/home/alice/.local/share/app"));
        long midCopy = (copyStarts + journalWritten) / 2;

        try (Machine m = scenario.build()) {
            Path app = m.at("/home/alice/.local/share/app");
            Map<String, String> original = Trees.manifest(app);
            assertThat(CrashSearch.crash(m, midCopy)).isTrue();

            Path staging = m.disk.resolve(".lethe/staging");
            assertThat(hasRecord(m.disk)).as("crashed before the journal").isFalse();
            assertThat(namesUnder(m.disk.resolve("home"))).as("alice's store directories").noneMatch(n -> n.startsWith(".lethe"));
            assertThat(namesUnder(m.at("/home/alice"))).noneMatch(n -> n.startsWith(".lethe"));
            assertThat(Trees.describe(m.disk.resolve(".lethe"))).startsWith("dir 0:0 0700");
            assertThat(Trees.describe(staging)).startsWith("dir 0:0 0700");
            List<Path> staged;
            try (Stream<Path> list = Files.list(staging)) {
                staged = list.toList();
            }
            assertThat(staged).as("the partial copy").hasSize(1);
            assertThat(countFiles(staged.getFirst())).as("a partial copy").isBetween(1L, countFiles(app) - 1);
            assertThat(Trees.manifest(app)).as("the original is untouched").isEqualTo(original);

            Machine.Run finish = m.lethe("apply");
            assertThat(finish.exit()).as(finish.all()).isZero();
            assertThat(Trees.manifest(m.disk.resolve("home/alice/.local/share/app"))).isEqualTo(original);
            assertThat(Trees.manifest(app)).as("seen through the mount").isEqualTo(original);
            assertThat(hasEntries(staging)).as("nothing left in staging").isFalse();
            assertThat(namesUnder(m.disk.resolve("home"))).noneMatch(n -> n.startsWith(".lethe"));
        }
    }

    // ---- a resumed migration keeps what was written after the copy ------------------------------

    @Test
    void resumingAfterTheTargetChangedKeepsTheNewDataAndStopsAsAConflict() throws Exception {
        try (Machine m = crashedRightAfterTheJournal(() -> appWithData(APP), "/var/lib/app")) {
            Map<String, String> original = Trees.manifest(m.at("/var/lib/app"));
            // The machine runs on without the mount: the app writes a new file and rewrites one.
            m.write("/var/lib/app/new-file", "written after the crash\n");
            m.write("/var/lib/app/db", "version 2, written after the crash\n");

            Machine.Run run = m.lethe("apply");

            assertThat(run.exit()).as(run.all()).isEqualTo(ExitCode.ENTRIES_FAILED);
            assertThat(run.err()).contains(m.at("/var/lib/app").toString()).contains("merge");
            assertThat(m.read("/var/lib/app/new-file")).isEqualTo("written after the crash\n");
            assertThat(m.read("/var/lib/app/db")).isEqualTo("version 2, written after the crash\n");
            assertThat(Trees.manifest(m.disk.resolve("var/lib/app"))).as("the verified copy, whole")
                    .isEqualTo(original);
            assertThat(m.mountsBelowRoot()).doesNotContain("/var/lib/app");
            assertThat(hasRecord(m.disk)).as("journal record finished").isFalse();
            assertThat(m.lethe("status").out()).containsPattern("conflict\\s+/var/lib/app");
        }
    }

    // ---- the same for a file entry --------------------------------------------------------------

    @Test
    void resumingAFileMigrationAfterTheFileWasRewrittenKeepsTheNewContent() throws Exception {
        CrashSearch.Scenario scenario = () -> {
            Machine m = new Machine(Disk.TMPFS);
            m.config("""
                    [[store]]
                    path = "/persist"
                    files = ["/etc/app.conf"]
                    """);
            m.write("/etc/app.conf", "setting = 1\n");
            return m;
        };
        try (Machine m = crashedRightAfterTheJournal(scenario, "/etc/app.conf")) {
            m.write("/etc/app.conf", "setting = 2, rewritten after the crash\n");

            Machine.Run run = m.lethe("apply");

            assertThat(run.exit()).as(run.all()).isEqualTo(ExitCode.ENTRIES_FAILED);
            assertThat(run.err()).contains(m.at("/etc/app.conf").toString()).contains("merge");
            assertThat(m.read("/etc/app.conf")).isEqualTo("setting = 2, rewritten after the crash\n");
            assertThat(Files.readString(m.disk.resolve("etc/app.conf"))).isEqualTo("setting = 1\n");
            assertThat(m.mountsBelowRoot()).doesNotContain("/etc/app.conf");
            assertThat(hasRecord(m.disk)).isFalse();
            assertThat(m.lethe("status").out()).containsPattern("conflict\\s+/etc/app.conf");
        }
    }

    // ---- a journal record is finished only in its own store -------------------------------------

    @Test
    void anInterruptedMigrationIsNotFinishedWhenTheEntryMovedToAnotherStore() throws Exception {
        try (Machine m = crashedRightAfterTheJournal(() -> appWithData(APP), "/var/lib/app")) {
            Map<String, String> original = Trees.manifest(m.at("/var/lib/app"));
            Path diskB = m.scratch.resolve("disk2");
            Files.createDirectories(diskB);
            Sh.run("mount", "-t", "tmpfs", "disk2", diskB.toString());
            Files.createDirectories(m.at("/persist2"));
            Sh.run("mount", "--bind", diskB.toString(), m.at("/persist2").toString());
            Files.createDirectories(diskB.resolve("var/lib/app"));  // an empty store directory waits in B
            m.config("""
                    [[store]]
                    path = "/persist"
                    [[store]]
                    path = "/persist2"
                    directories = ["/var/lib/app"]
                    """);
            Map<String, String> storeA = Trees.manifest(m.disk);
            Map<String, String> storeB = Trees.manifest(diskB);
            Map<String, String> target = Trees.manifest(m.at("/var/lib/app"));

            for (int round = 0; round < 2; round++) {
                Machine.Run run = m.lethe("apply");
                assertThat(run.exit()).as(run.all()).isEqualTo(ExitCode.ENTRIES_FAILED);
                assertThat(run.err()).containsPattern(Pattern.quote(m.at("/persist").toString()) + "(?!2)")
                        .contains(m.at("/persist2").toString());
                assertThat(Trees.manifest(m.disk)).as("store A").isEqualTo(storeA);
                assertThat(Trees.manifest(diskB)).as("store B").isEqualTo(storeB);
                assertThat(Trees.manifest(m.at("/var/lib/app"))).as("target").isEqualTo(target);
                assertThat(m.mountsBelowRoot()).doesNotContain("/var/lib/app");
            }

            // Put back where it was interrupted, it finishes.
            m.config(APP);
            Machine.Run back = m.lethe("apply");
            assertThat(back.exit()).as(back.all()).isZero();
            assertThat(Trees.manifest(m.disk.resolve("var/lib/app"))).isEqualTo(original);
        }
    }

    // ---- a resumed migration still enforces the declared mode -----------------------------------

    @Test
    void aResumedMigrationSetsTheDeclaredModeAndThenThereIsNothingToDo() throws Exception {
        String config = """
                [[store]]
                path = "/persist"
                directories = [{ path = "/var/lib/app", mode = "0700" }]
                """;
        try (Machine m = crashedRightAfterTheJournal(() -> appWithData(config), "/var/lib/app")) {
            Machine.Run run = m.lethe("apply");
            assertThat(run.exit()).as(run.all()).isZero();
            assertThat(Trees.describe(m.disk.resolve("var/lib/app"))).startsWith("dir 0:0 0700");
            assertThat(Trees.describe(m.at("/var/lib/app"))).as("seen through the mount").startsWith("dir 0:0 0700");
            assertThat(m.read("/var/lib/app/db")).isEqualTo("v1\n");

            Machine.Run again = m.lethe("apply");
            assertThat(again.exit()).as(again.all()).isZero();
            assertThat(again.out()).contains("nothing to do");
        }
    }

    // ---- only mounts lethe made are unmounted ---------------------------------------------------

    @Test
    void aBindMountOfAStorePathMadeByHandIsNeverUnmounted() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log"]
                    """);
            assertThat(m.lethe("apply").exit()).isZero();
            // An fstab line (not lethe) binds a directory of the store disk to the same path below the root.
            Files.createDirectories(m.disk.resolve("srv/db"));
            Files.writeString(m.disk.resolve("srv/db/table"), "rows");
            Files.createDirectories(m.at("/srv/db"));
            Sh.run("mount", "--bind", m.disk.resolve("srv/db").toString(), m.at("/srv/db").toString());

            Machine.Run run = m.lethe("apply");

            assertThat(run.exit()).as(run.all()).isZero();
            assertThat(m.mountsBelowRoot()).contains("/srv/db", "/var/log");
            assertThat(m.read("/srv/db/table")).isEqualTo("rows");
        }
    }

    @Test
    void lethesMountCoveredByAnotherIsRefusedNotUnmountedFromUnderIt() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log"]
                    """);
            assertThat(m.lethe("apply").exit()).isZero();
            m.write("/var/log/syslog", "kept");
            Sh.run("mount", "-t", "tmpfs", "-o", "size=1m", "journald-ram", m.at("/var/log").toString());
            m.config("""
                    [[store]]
                    path = "/persist"
                    """);

            Machine.Run run = m.lethe("apply");

            assertThat(run.exit()).as(run.all()).isEqualTo(ExitCode.ENTRIES_FAILED);
            assertThat(run.err()).contains("/var/log").contains("covered");
            assertThat(m.mountsBelowRoot()).filteredOn("/var/log"::equals).as("lethe's mount and the tmpfs").hasSize(2);
            Sh.run("umount", m.at("/var/log").toString());
            assertThat(m.read("/var/log/syslog")).as("lethe's mount is still there under it").isEqualTo("kept");
        }
    }

    // ---- a store whose disk is not mounted is not written to ------------------------------------

    @Test
    void aStoreThatIsNotAMountPointIsRefusedUnlessTheConfigSaysItIsOnTheRoot() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            Sh.run("umount", m.at("/persist").toString());  // the disk did not come up: /persist is the bare directory
            m.config(APP);
            m.write("/var/lib/app/db", "years of data");
            Map<String, String> target = Trees.manifest(m.at("/var/lib/app"));

            Machine.Run run = m.lethe("apply");

            assertThat(run.exit()).as(run.all()).isEqualTo(ExitCode.ENTRIES_FAILED);
            assertThat(run.err()).contains("/persist").contains("not a mount point");
            assertThat(Trees.manifest(m.at("/var/lib/app"))).isEqualTo(target);
            assertThat(namesUnder(m.at("/persist"))).as("nothing created in /persist").isEmpty();
            assertThat(m.mountsBelowRoot()).isEmpty();

            m.config(APP.replace("path = \"/persist\"\n", "path = \"/persist\"\non-root = true\n"));
            Machine.Run adopted = m.lethe("apply");
            assertThat(adopted.exit()).as(adopted.all()).isZero();
            assertThat(Files.readString(m.at("/persist/var/lib/app/db"))).isEqualTo("years of data");
            assertThat(m.read("/var/lib/app/db")).isEqualTo("years of data");
            assertThat(m.mountsBelowRoot()).containsExactly("/var/lib/app");
        }
    }

    // ---- a crash while creating never leaves a wrong owner or mode ------------------------------

    private static final String ALICE_DIRECTORIES = """
            [[store]]
            path = "/persist"
            [store.users.alice]
            directories = ["Documents", "projects/x"]
            """;

    private static final String ALICE = "dir 1000:1000 ";

    /**
     * What each path lethe creates for {@link #ALICE_DIRECTORIES} must be, once it exists at its
     * name: the store side and the target side (seen through the mount, if mounted).
     */
    private static Map<Path, String> expectedOwnerAndMode(Machine m) throws IOException {
        Map<Path, String> expected = new java.util.LinkedHashMap<>();
        expected.put(m.disk.resolve("home"), Trees.describe(m.at("/home")));
        expected.put(m.disk.resolve("home/alice"), ALICE + "0700");
        for (String dir : List.of("Documents", "projects", "projects/x")) {
            expected.put(m.disk.resolve("home/alice").resolve(dir), ALICE + "0755");
            expected.put(m.at("/home/alice/" + dir), ALICE + "0755");
        }
        return expected;
    }

    @Test
    void aCrashWhileCreatingDirectoriesNeverLeavesOneWithAWrongOwnerOrModeAtItsName() throws Exception {
        int crashes = 0;
        for (long n = 1; ; n++) {
            assertThat(n).as("apply ends within 500 mutations").isLessThan(500);
            try (Machine m = new Machine(Disk.TMPFS)) {
                m.config(ALICE_DIRECTORIES);
                boolean crashed = CrashSearch.crash(m, n);
                for (Map.Entry<Path, String> path : expectedOwnerAndMode(m).entrySet()) {
                    if (Files.exists(path.getKey(), LinkOption.NOFOLLOW_LINKS)) {
                        assertThat(Trees.describe(path.getKey())).as("after a crash at mutation %d: %s", n, path.getKey())
                                .isEqualTo(path.getValue());
                    }
                }
                if (!crashed) {
                    break;
                }
                crashes++;
            }
        }
        assertThat(crashes).as("crash points inside the creation").isGreaterThan(10);
    }

    @Test
    void aCrashWhileCreatingDirectoriesIsFinishedByTheNextApplyWithTheRightOwnerAndMode() throws Exception {
        for (long n = 1; ; n++) {
            assertThat(n).as("apply ends within 500 mutations").isLessThan(500);
            try (Machine m = new Machine(Disk.TMPFS)) {
                m.config(ALICE_DIRECTORIES);
                boolean crashed = CrashSearch.crash(m, n);

                Machine.Run finish = m.lethe("apply");

                String why = "after a crash at mutation " + n;
                assertThat(finish.exit()).as("%s: %s", why, finish.all()).isZero();
                for (Map.Entry<Path, String> path : expectedOwnerAndMode(m).entrySet()) {
                    assertThat(Trees.describe(path.getKey())).as("%s: %s", why, path.getKey()).isEqualTo(path.getValue());
                }
                assertThat(namesUnder(m.disk)).as(why).noneMatch(name -> name.startsWith(".lethe-new"));
                assertThat(namesUnder(m.at("/home"))).as(why).noneMatch(name -> name.startsWith(".lethe-new"));
                assertThat(m.lethe("apply").out()).as(why).contains("nothing to do");
                // The mount points themselves, under the mounts.
                Sh.run("umount", m.at("/home/alice/projects/x").toString());
                Sh.run("umount", m.at("/home/alice/Documents").toString());
                assertThat(Trees.describe(m.at("/home/alice/Documents"))).as(why).isEqualTo(ALICE + "0755");
                assertThat(Trees.describe(m.at("/home/alice/projects/x"))).as(why).isEqualTo(ALICE + "0755");
                if (!crashed) {
                    break;
                }
            }
        }
    }

    // ---- a temporary name taken by what a crash left, or by anything else ---------------------------

    /**
     * A user's directory: made through a temporary name (a root-owned one in a parent only root can
     * write is made at its name in one step, and never meets its temporary name; CreateTest).
     */
    private static final String USERS_APP = """
            [[store]]
            path = "/persist"
            directories = [{ path = "/var/lib/app", owner = "1000" }]
            """;

    @Test
    void anEmptyTemporaryLeftByACrashIsReplacedAndTheDirectoryMadeAtItsName() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(USERS_APP);
            Files.createDirectories(m.disk.resolve("var/lib/.lethe-new.app"));

            Machine.Run run = m.lethe("apply");

            assertThat(run.exit()).as(run.all()).isZero();
            assertThat(m.disk.resolve("var/lib/app")).isDirectory();
            assertThat(m.disk.resolve("var/lib/.lethe-new.app")).doesNotExist();
            assertThat(m.lethe("apply").out()).contains("nothing to do");
        }
    }

    @Test
    void aTemporaryNameHoldingDataIsLeftAsItIsAndTheEntryFailsNamingIt() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(USERS_APP);
            Path taken = m.disk.resolve("var/lib/.lethe-new.app");
            Files.createDirectories(taken);
            Files.writeString(taken.resolve("keep"), "someone's data\n");

            Machine.Run run = m.lethe("apply");

            assertThat(run.exit()).as(run.all()).isEqualTo(ExitCode.ENTRIES_FAILED);
            assertThat(run.all()).contains(".lethe-new.app").contains("Remove it, then apply again");
            assertThat(taken.resolve("keep")).hasContent("someone's data");
            assertThat(m.disk.resolve("var/lib/app")).doesNotExist();
        }
    }

    // ---- no chown through a hard link -----------------------------------------------------------

    @Test
    void aHardLinkedStoreFileIsNeverChownedOrChmodded() throws Exception {
        try (Machine m = new Machine(Disk.ON_ROOT)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    [store.users.alice]
                    files = [{ path = ".app-key", owner = "alice", mode = "0600" }]
                    """);
            m.write("/etc/shadow", "root:$6$secret:19000::::::\n");
            Sh.run("chmod", "0640", m.at("/etc/shadow").toString());
            Sh.run("install", "-d", "-o", "1000", "-g", "1000", "-m", "0700", m.at("/persist/home/alice").toString());
            // alice's store file is another name of /etc/shadow (the store is on the root filesystem).
            Files.createLink(m.at("/persist/home/alice/.app-key"), m.at("/etc/shadow"));
            String shadow = Trees.describe(m.at("/etc/shadow"));
            assertThat(shadow).startsWith("file 0:0 0640");

            Machine.Run run = m.lethe("apply");

            assertThat(run.exit()).as(run.all()).isEqualTo(ExitCode.ENTRIES_FAILED);
            assertThat(run.err()).contains("hard links");
            assertThat(Trees.describe(m.at("/etc/shadow"))).isEqualTo(shadow);
            assertThat(m.mountsBelowRoot()).doesNotContain("/home/alice/.app-key");
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private static boolean hasEntries(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.findAny().isPresent();
        }
    }

    /** The names of everything below {@code top} (not {@code top} itself). */
    private static List<String> namesUnder(Path top) throws IOException {
        if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> paths = Files.walk(top)) {
            return paths.filter(p -> !p.equals(top)).map(p -> p.getFileName().toString()).toList();
        }
    }

    private static long countFiles(Path top) throws IOException {
        try (Stream<Path> paths = Files.walk(top)) {
            return paths.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).count();
        }
    }
}
