package dev.lethe.cli;

import dev.lethe.testing.ChildJvm;
import java.util.List;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.linux.CrashPoints;
import dev.lethe.testing.Machine;
import dev.lethe.testing.Machine.Disk;
import dev.lethe.testing.Sh;
import dev.lethe.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Migrations that fail or meet unusual paths: the store stays usable and nothing is lost. */
class MigrationFailureTest {

    @org.junit.jupiter.api.AfterEach
    void disarm() {
        CrashPoints.inject(null);
    }

    @Test
    void aCopyThatRunsOutOfSpaceIsDiscardedSoTheStoreStaysUsable() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/lib/big", "/var/lib/small"]
                    """);
            Trees.generate(m.at("/var/lib/big"), 120, 5);  // about 1.5 MB, some files of 200 kB
            Files.write(m.at("/var/lib/big/huge"), new byte[3 << 20]);
            m.write("/var/lib/small/state", "small\n");
            Map<String, String> big = Trees.manifest(m.at("/var/lib/big"));
            Sh.run("mount", "-o", "remount,size=2m", m.disk.toString());

            Machine.Run run = m.lethe("apply");

            assertThat(run.exit()).as(run.all()).isEqualTo(1);
            assertThat(run.err()).contains("/var/lib/big").contains("ENOSPC");
            assertThat(Trees.manifest(m.at("/var/lib/big"))).as("the original, untouched").isEqualTo(big);
            assertThat(entries(m.disk.resolve(".lethe/staging"))).as("the partial copy is discarded").isZero();
            assertThat(m.mountsBelowRoot()).as("the other entry of the store goes on").contains("/var/lib/small")
                    .doesNotContain("/var/lib/big");
            assertThat(m.read("/var/lib/small/state")).isEqualTo("small\n");
        }
    }

    // ---- what a killed apply has said, and what status says after it --------------------------------

    @Test
    void applyPrintsEachActionWhenItIsDoneSoAKilledApplyHasSaidWhatItFinished() throws Exception {
        String config = """
                [[store]]
                path = "/persist"
                directories = ["/var/lib/a", "/var/lib/b"]
                """;
        long mutations;
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(config);
            m.write("/var/lib/a/data", "a\n");
            m.write("/var/lib/b/data", "b\n");
            CrashPoints.inject(CrashPoints.Fault.crashAt(Long.MAX_VALUE));
            assertThat(m.lethe("apply").exit()).isZero();
            mutations = CrashPoints.injectedMutations();
        }
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(config);
            m.write("/var/lib/a/data", "a\n");
            m.write("/var/lib/b/data", "b\n");
            java.io.StringWriter out = new java.io.StringWriter();
            java.io.StringWriter err = new java.io.StringWriter();
            CrashPoints.inject(CrashPoints.Fault.crashAt(mutations));  // the last one (the record of the mounts made)
            try {
                Main.run(new java.io.PrintWriter(out), new java.io.PrintWriter(err), "apply", "--root", m.root.toString(),
                        "--config", m.config.toString());
                throw new AssertionError("apply was not killed: " + out + err);
            } catch (CrashPoints.SimulatedCrash expected) {
                // killed before its last mutation, as planned
            } finally {
                CrashPoints.inject(null);
            }
            assertThat(out.toString()).as("written out before the kill")
                    .containsPattern("done +migrate +/var/lib/a ")
                    .containsPattern("done +bind +/persist/var/lib/a on /var/lib/a")
                    .containsPattern("done +migrate +/var/lib/b ")
                    .containsPattern("done +bind +/persist/var/lib/b on /var/lib/b")
                    .doesNotContain("lethe: 2 entries");
        }
    }

    @Test
    void applyStoppedBySigtermSaysWhatItDidAndThatItWasStopped() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/lib/big"]
                    """);
            for (int i = 0; i < 8; i++) {
                Files.createDirectories(m.at("/var/lib/big"));
                byte[] content = new byte[8 << 20];
                new java.util.Random(i).nextBytes(content);
                Files.write(m.at("/var/lib/big/f" + i), content);  // 64 MB: a copy and verify of a second or so
            }
            Path outFile = m.scratch.resolve("sigterm.out");
            Path errFile = m.scratch.resolve("sigterm.err");
            List<String> command = ChildJvm.command("dev.lethe.cli.Main");
            command.addAll(List.of("apply", "--root", m.root.toString(), "--config", m.config.toString()));
            Process apply = new ProcessBuilder(command)
                    .redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).start();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.readString(outFile).contains("mkdir") && System.nanoTime() < deadline) {
                Thread.sleep(5);  // the store's parents are made, the migration has begun
            }
            apply.destroy();  // SIGTERM
            apply.waitFor();
            assertThat(Files.readString(outFile)).as("printed when done, before the end").containsPattern("done +mkdir +/persist/var ")
                    .doesNotContain("lethe: 1 entries");
            assertThat(Files.readString(errFile)).contains("apply was stopped before it finished");
            assertThat(m.lethe("apply").exit()).isZero();
            assertThat(m.lethe("apply").out()).contains("nothing to do");
        }
    }

    @Test
    void statusSaysAMigrationKilledWhileCopyingWaitsAndHowMuchItHolds() throws Exception {
        try (Machine m = crashedWhen(Disk.TMPFS, "/var/lib/app",
                c -> entries(c.disk.resolve(".lethe/staging")) > 0 && !hasRecord(c))) {
            Machine.Run status = m.lethe("status");
            assertThat(status.out()).containsPattern("interrupted +/var/lib/app +a migration into the store was "
                    + "interrupted while copying \\(\\d+ files?, \\d+ B in " + Pattern.quote(m.at("/persist/.lethe/staging/").toString()));
            assertThat(status.exit()).isEqualTo(1);
        }
    }

    @Test
    void statusSaysAMigrationKilledAfterItsCopyWasVerifiedWaitsToBeFinished() throws Exception {
        try (Machine m = crashedAfterTheCopyWasPlaced(Disk.TMPFS, "/var/lib/app")) {
            Machine.Run status = m.lethe("status");
            assertThat(status.out()).containsPattern("interrupted +/var/lib/app +a migration into the store was "
                    + "interrupted after its copy was verified \\(2 files, 10 B in " + Pattern.quote(m.at("/persist/var/lib/app").toString())
                    + "\\); apply finishes it");
            assertThat(m.lethe("apply").exit()).isZero();
            assertThat(m.lethe("status").out()).containsPattern("active +/var/lib/app ");
        }
    }

    // ---- paths of any length and any bytes ----------------------------------------------------------

    private static final String LONG = "/var/lib/" + "a".repeat(120) + "/" + "b".repeat(120);

    @Test
    void aPathLongerThanANameMigratesAndResumes() throws Exception {
        // 250 bytes: its base64 (the old staging and record name) would be 334, over the 255 a name may have.
        Machine m = crashedRightAfterTheJournal(Disk.TMPFS, LONG);
        try (m) {
            Machine.Run rerun = m.lethe("apply");
            assertThat(rerun.exit()).as(rerun.all()).isZero();
            assertThat(m.read(LONG + "/data")).isEqualTo("long\n");
            assertThat(m.mountsBelowRoot()).contains(LONG);
            assertThat(entries(m.disk.resolve(".lethe/migrations"))).isZero();
        }
        try (Machine fresh = machineWith(Disk.TMPFS, LONG)) {
            Machine.Run run = fresh.lethe("apply");
            assertThat(run.exit()).as(run.all()).isZero();
            assertThat(fresh.read("/persist" + LONG + "/data")).isEqualTo("long\n");
        }
    }

    @Test
    void aPathWithANewlineOrCarriageReturnResumes() throws Exception {
        String odd = "/var/lib/new\nline\rand %41 space";
        try (Machine m = crashedAfterTheCopyWasPlaced(Disk.TMPFS, odd)) {
            Machine.Run status = m.lethe("status");
            assertThat(status.all()).doesNotContain("not a migration record");
            Machine.Run rerun = m.lethe("apply");
            assertThat(rerun.exit()).as(rerun.all()).isZero();
            assertThat(rerun.err()).doesNotContain("warning");
            assertThat(m.read(odd + "/data")).isEqualTo("long\n");
            assertThat(entries(m.disk.resolve(".lethe/migrations"))).isZero();
        }
    }

    @Test
    void anUnreadableRecordIsReportedAndHidesNoOther() throws Exception {
        try (Machine m = crashedAfterTheCopyWasPlaced(Disk.TMPFS, "/var/lib/app")) {
            Path bad = m.at("/persist/.lethe/migrations/garbage");
            Files.writeString(bad, "lethe-migration 1\ntarget /var/lib/x\n");

            Machine.Run status = m.lethe("status");
            assertThat(status.out()).contains(bad.toString()).contains("interrupted");
            Machine.Run rerun = m.lethe("apply");
            assertThat(rerun.exit()).as(rerun.all()).isZero();
            assertThat(rerun.err()).contains("warning: " + bad + " is not a migration record lethe can read");
            assertThat(m.read("/var/lib/app/data")).isEqualTo("long\n");
            assertThat(Files.exists(bad)).as("lethe never removes what it cannot read").isTrue();
        }
    }

    @Test
    void aRecordOfTheFirstFormatIsStillResumed() throws Exception {
        // A machine upgraded between a crash and the re-run: a version-1 record, named and with
        // its staging copy named by the base64 of the path, the target raw on its line.
        try (Machine m = crashedRightAfterTheJournal(Disk.TMPFS, "/var/lib/app")) {
            Path migrations = m.disk.resolve(".lethe/migrations");
            Path record;
            try (Stream<Path> records = Files.list(migrations)) {
                record = records.filter(p -> !p.getFileName().toString().startsWith(".")).findFirst().orElseThrow();
            }
            String v1 = java.util.Base64.getUrlEncoder().withoutPadding()
                    .encodeToString("/var/lib/app".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String text = Files.readString(record).replaceFirst("lethe-migration 2", "lethe-migration 1");
            Files.writeString(migrations.resolve(v1), text);
            Files.delete(record);
            Path staging = m.disk.resolve(".lethe/staging").resolve(record.getFileName());
            if (Files.exists(staging)) {
                Files.move(staging, staging.resolveSibling(v1));
            }

            Machine.Run rerun = m.lethe("apply");
            assertThat(rerun.exit()).as(rerun.all()).isZero();
            assertThat(rerun.out()).contains("resume");
            assertThat(m.read("/var/lib/app/data")).isEqualTo("long\n");
            assertThat(entries(migrations)).isZero();
            assertThat(entries(m.disk.resolve(".lethe/staging"))).isZero();
        }
    }

    private static Machine machineWith(Disk disk, String directory) throws IOException {
        Machine m = new Machine(disk);
        m.config("[[store]]\npath = \"/persist\"\ndirectories = [\"" + directory.replace("\n", "\\n").replace("\r", "\\r")
                + "\"]\n");
        m.write(directory + "/data", "long\n");
        m.write(directory + "/sub/more", "more\n");
        return m;
    }

    /** A machine whose apply died (in-process) at the first write after the journal record exists. */
    private static Machine crashedRightAfterTheJournal(Disk disk, String directory) throws Exception {
        return crashedWhen(disk, directory, MigrationFailureTest::hasRecord);
    }

    /**
     * A machine whose apply died after the copy was placed in the store, with the journal record
     * still there: the original may be half emptied, so only the record lets a re-run finish.
     */
    private static Machine crashedAfterTheCopyWasPlaced(Disk disk, String directory) throws Exception {
        return crashedWhen(disk, directory, m -> hasRecord(m) && entries(m.disk.resolve(".lethe/staging")) == 0);
    }

    private interface Condition {
        boolean holds(Machine m) throws IOException;
    }

    private static Machine crashedWhen(Disk disk, String directory, Condition reached) throws Exception {
        for (long n = 1; n < 1000; n++) {
            Machine m = machineWith(disk, directory);
            CrashPoints.inject(CrashPoints.Fault.crashAt(n));
            try {
                Machine.Run run = m.lethe("apply");
                throw new AssertionError("apply ran to its end without a journal record: " + run.all());
            } catch (CrashPoints.SimulatedCrash expected) {
                // as planned
            } finally {
                CrashPoints.inject(null);
            }
            if (reached.holds(m)) {
                return m;
            }
            m.close();
        }
        throw new AssertionError("no crash point after the journal record");
    }

    /** A record, not the temporary it is written as. */
    private static boolean hasRecord(Machine m) throws IOException {
        Path migrations = m.disk.resolve(".lethe/migrations");
        if (!Files.isDirectory(migrations)) {
            return false;
        }
        try (Stream<Path> records = Files.list(migrations)) {
            return records.anyMatch(p -> !p.getFileName().toString().startsWith("."));
        }
    }

    static long entries(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        try (Stream<Path> children = Files.list(directory)) {
            return children.count();
        }
    }
}
