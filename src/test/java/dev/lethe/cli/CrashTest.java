package dev.lethe.cli;

import dev.lethe.testing.ChildJvm;
import java.util.List;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Machine;
import dev.lethe.testing.Machine.Disk;
import dev.lethe.testing.Sh;
import dev.lethe.testing.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Safety invariant 3: a migration killed with SIGKILL at any instant and re-run completes, and
 * every file is whole in at least one place throughout. The process kills itself just before its
 * N-th mutation (LETHE_TEST_CRASH_AT=N); N runs over points spread across the whole migration.
 */
class CrashTest {

    private static final String CONFIG = """
            [[store]]
            path = "/persist"
            directories = [{ path = "/var/lib/big", mode = "0750" }]
            """;

    @Test
    void crossFilesystemMigrationSurvivesSigkillAnywhere() throws Exception {
        crashEverywhere(Disk.EXT4, 2000, 20);
    }

    @Test
    void sameFilesystemMigrationSurvivesSigkillAnywhere() throws Exception {
        // A rename is one mutation: the few points around it are all there are.
        crashEverywhere(Disk.ON_ROOT, 200, 3);
    }

    private void crashEverywhere(Disk disk, int files, int minimumCrashes) throws Exception {
        try (Machine m = new Machine(disk)) {
            m.config(CONFIG);
            Path original = m.at("/var/lib/big");
            Trees.generate(original, files, 42);
            Map<String, String> manifest = Trees.manifest(original);
            Path store = m.at("/persist/var/lib/big");

            TreeSet<Long> points = new TreeSet<>();
            for (long n = 1; n < 200_000; n = Math.max(n + 1, (long) (n * 1.25))) {
                points.add(n);
            }
            int crashes = 0;
            for (long point : points) {
                Machine.Run run = m.letheProcess(Map.of("LETHE_TEST_CRASH_AT", Long.toString(point)), "apply");
                if (run.exit() == 0) {
                    break;  // the crash point lies beyond the last mutation: the apply finished
                }
                assertThat(run.exit()).as("killed by SIGKILL at mutation %d: %s", point, run.all()).isEqualTo(137);
                crashes++;
                assertWholeSomewhere(manifest, original, store, point);
            }
            assertThat(crashes).as("crash points hit inside the migration").isGreaterThanOrEqualTo(minimumCrashes);

            Machine.Run finish = m.letheProcess(Map.of(), "apply");
            assertThat(finish.exit()).as(finish.all()).isZero();
            Map<String, String> expected = new java.util.TreeMap<>(manifest);
            expected.put("", manifest.get("").replaceFirst(" \\d{4}$", " 0750"));
            assertThat(Trees.manifest(store)).isEqualTo(expected);
            assertThat(Trees.manifest(original)).as("seen through the mount").isEqualTo(expected);
            assertThat(m.mountsBelowRoot()).contains("/var/lib/big");
            Machine.Run again = m.letheProcess(Map.of(), "apply");
            assertThat(again.out()).contains("nothing to do");
        }
    }

    /** Every file of the original is whole, with owner and mode, in the target or in the store. */
    private static void assertWholeSomewhere(Map<String, String> manifest, Path original, Path store, long point)
            throws Exception {
        for (Map.Entry<String, String> file : manifest.entrySet()) {
            if (!file.getValue().startsWith("file") && !file.getValue().startsWith("link")) {
                continue;
            }
            boolean inTarget = matches(original.resolve(file.getKey()), file.getValue());
            boolean inStore = matches(store.resolve(file.getKey()), file.getValue());
            assertThat(inTarget || inStore)
                    .as("after a crash at mutation %d, %s is whole in neither place", point, file.getKey())
                    .isTrue();
        }
    }

    private static boolean matches(Path path, String expected) throws Exception {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        return Trees.describe(path).equals(expected);
    }

    @Test
    void timedKillsDuringMigrationAlsoRecover() throws Exception {
        try (Machine m = new Machine(Disk.EXT4)) {
            m.config(CONFIG);
            Path original = m.at("/var/lib/big");
            Trees.generate(original, 3000, 7);
            Map<String, String> manifest = Trees.manifest(original);
            java.util.Random random = new java.util.Random(3);
            for (int round = 0; round < 4; round++) {
                List<String> command = ChildJvm.command("dev.lethe.cli.Main");
                command.addAll(List.of("apply", "--root", m.root.toString(), "--config", m.config.toString()));
                ProcessBuilder builder = new ProcessBuilder(command);
                builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
                Process process = builder.start();
                Thread.sleep(300 + random.nextInt(1200));
                Sh.tryRun("kill", "-KILL", Long.toString(process.pid()));
                process.waitFor();
            }
            Machine.Run finish = m.letheProcess(Map.of(), "apply");
            assertThat(finish.exit()).as(finish.all()).isZero();
            Map<String, String> seen = Trees.manifest(original);
            assertThat(seen.keySet()).isEqualTo(manifest.keySet());
            for (String key : manifest.keySet()) {
                if (!key.isEmpty()) {
                    assertThat(seen.get(key)).as(key).isEqualTo(manifest.get(key));
                }
            }
        }
    }
}
