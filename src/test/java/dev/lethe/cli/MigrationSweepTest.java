package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.linux.CrashPoints;
import dev.lethe.linux.Errno;
import dev.lethe.testing.Machine;
import dev.lethe.testing.Machine.Disk;
import dev.lethe.testing.Sh;
import dev.lethe.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Safety invariant 3 at every write, not a sample: for each kind of migration, for N = 1, 2, ...
 * until an apply runs to its end, the apply dies just before its N-th mutation (in-process: that
 * mutation and every later one throw, as after SIGKILL), and then every file must be whole in the
 * target or the store, a re-run must finish the job, and a third run must do nothing. The same
 * sweep with the N-th mutation failing with ENOSPC instead (a full disk): the apply reports it,
 * leaves no partial copy in the store, and a re-run finishes.
 *
 * <p>In-process, because a JVM start per point would make the few hundred points take minutes;
 * CrashTest kills real processes with SIGKILL.
 */
class MigrationSweepTest {

    /** One kind of migration: the disk, the entry, and the data it starts with. */
    enum Kind {
        DIRECTORY_ACROSS_FILESYSTEMS(Disk.TMPFS, true, false),
        DIRECTORY_ON_ONE_FILESYSTEM(Disk.ON_ROOT, true, false),
        DIRECTORY_ONTO_EMPTY_STORE_DIRECTORY(Disk.TMPFS, true, true),
        FILE_ACROSS_FILESYSTEMS(Disk.TMPFS, false, false),
        FILE_ON_ONE_FILESYSTEM(Disk.ON_ROOT, false, false),
        FILE_ONTO_EMPTY_STORE_FILE(Disk.TMPFS, false, true),
        FILE_ONTO_EMPTY_STORE_FILE_ON_ONE_FILESYSTEM(Disk.ON_ROOT, false, true);

        final Disk disk;
        final boolean directory;
        final boolean storeSideExistsEmpty;

        Kind(Disk disk, boolean directory, boolean storeSideExistsEmpty) {
            this.disk = disk;
            this.directory = directory;
            this.storeSideExistsEmpty = storeSideExistsEmpty;
        }

        String target() {
            return directory ? "/var/lib/app" : "/etc/app.conf";
        }

        Machine build() throws Exception {
            Machine m = new Machine(disk);
            m.config("[[store]]\npath = \"/persist\"\n" + (directory ? "directories" : "files") + " = [\"" + target() + "\"]\n");
            if (directory) {
                // Small, but every kind of thing the copy handles: nested files, a hard link, a
                // symlink, an empty directory, another owner and mode.
                m.write("/var/lib/app/db", "v1\n");
                m.write("/var/lib/app/log/0001", "first entry\n");
                Files.createLink(m.at("/var/lib/app/log/0001-link"), m.at("/var/lib/app/log/0001"));
                Files.createSymbolicLink(m.at("/var/lib/app/current"), Path.of("log/0001"));
                Files.createDirectories(m.at("/var/lib/app/empty"));
                Sh.run("chown", "1000:1000", m.at("/var/lib/app/db").toString());
                Sh.run("chmod", "0600", m.at("/var/lib/app/db").toString());
                Sh.run("chmod", "0755", m.at("/var/lib/app").toString());
                if (storeSideExistsEmpty) {
                    Files.createDirectories(m.at("/persist/var/lib/app"));
                }
            } else {
                m.write("/etc/app.conf", "key = value\n");
                Sh.run("chmod", "0644", m.at("/etc/app.conf").toString());
                if (storeSideExistsEmpty) {
                    m.write("/persist/etc/app.conf", "");
                }
            }
            return m;
        }
    }

    @AfterEach
    void disarm() {
        CrashPoints.inject(null);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCrashBeforeAnyWriteIsFinishedByOneRerun(Kind kind) throws Exception {
        int crashes = 0;
        for (long n = 1; ; n++) {
            try (Machine m = kind.build()) {
                Map<String, String> before = Trees.manifest(m.at(kind.target()));
                CrashPoints.inject(CrashPoints.Fault.crashAt(n));
                boolean crashed;
                try {
                    Machine.Run run = m.lethe("apply");
                    crashed = false;
                    assertThat(run.exit()).as("apply with no crash: %s", run.all()).isZero();
                } catch (CrashPoints.SimulatedCrash expected) {
                    crashed = true;
                } finally {
                    CrashPoints.inject(null);
                }
                String where = kind + ", crashed before mutation " + n;
                assertWholeSomewhere(m, kind, before, where);
                assertConverges(m, kind, before, where);
                if (!crashed) {
                    break;
                }
                crashes++;
            }
        }
        assertThat(crashes).as("crash points swept").isGreaterThan(0);
        System.out.printf("%s: %d crash points%n", kind, crashes);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aFullDiskAtAnyWriteLeavesNoPartialCopyAndARerunFinishes(Kind kind) throws Exception {
        for (long n = 1; ; n++) {
            try (Machine m = kind.build()) {
                Map<String, String> before = Trees.manifest(m.at(kind.target()));
                CrashPoints.inject(CrashPoints.Fault.failAt(n, Errno.ENOSPC));
                Machine.Run run;
                long attempted;
                try {
                    run = m.lethe("apply");
                    attempted = CrashPoints.injectedMutations();
                } finally {
                    CrashPoints.inject(null);
                }
                String where = kind + ", ENOSPC at mutation " + n + ": " + run.all();
                assertThat(run.exit()).as(where).isIn(0, 1);
                assertWholeSomewhere(m, kind, before, where);
                if (run.exit() == 1 && !holdsEntries(m.at("/persist/.lethe/migrations"))) {
                    assertThat(holdsEntries(m.at("/persist/.lethe/staging")))
                            .as("%s: a failed copy is discarded, so it cannot fill the store", where).isFalse();
                }
                assertConverges(m, kind, before, where);
                if (attempted < n) {
                    break;  // the fault lay beyond the last mutation
                }
            }
        }
    }

    /** Every file of the original is whole, with owner and mode, in the target or in the store. */
    private static void assertWholeSomewhere(Machine m, Kind kind, Map<String, String> before, String where)
            throws IOException {
        Path target = m.at(kind.target());
        Path store = m.at("/persist" + kind.target());
        for (Map.Entry<String, String> file : before.entrySet()) {
            if (file.getValue().startsWith("dir")) {
                continue;
            }
            boolean inTarget = matches(target.resolve(file.getKey()), file.getValue());
            boolean inStore = matches(store.resolve(file.getKey()), file.getValue());
            assertThat(inTarget || inStore).as("%s: '%s' is whole in neither place", where, file.getKey()).isTrue();
        }
    }

    /** A re-run finishes the job (the data in the store, mounted on the target); a third does nothing. */
    private static void assertConverges(Machine m, Kind kind, Map<String, String> before, String where)
            throws IOException {
        Machine.Run rerun = m.lethe("apply");
        assertThat(rerun.exit()).as("%s: the re-run: %s", where, rerun.all()).isZero();
        assertThat(m.mountsBelowRoot()).as(where).contains(kind.target());
        Map<String, String> expected = new TreeMap<>(before);
        Map<String, String> inStore = new TreeMap<>(Trees.manifest(m.at("/persist" + kind.target())));
        if (kind.directory) {
            expected.remove("");  // the top directory's owner and mode are the entry's to decide
            inStore.remove("");
        }
        assertThat(inStore).as("%s: the store", where).isEqualTo(expected);
        assertThat(holdsEntries(m.at("/persist/.lethe/staging"))).as("%s: staging left over", where).isFalse();
        assertThat(holdsEntries(m.at("/persist/.lethe/migrations"))).as("%s: record left over", where).isFalse();
        Machine.Run third = m.lethe("apply");
        assertThat(third.exit()).as(where).isZero();
        assertThat(third.out()).as("%s: the third run", where).contains("nothing to do");
    }

    private static boolean matches(Path path, String expected) throws IOException {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS) && Trees.describe(path).equals(expected);
    }

    private static boolean holdsEntries(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return false;
        }
        try (Stream<Path> children = Files.list(directory)) {
            return children.findAny().isPresent();
        }
    }
}
