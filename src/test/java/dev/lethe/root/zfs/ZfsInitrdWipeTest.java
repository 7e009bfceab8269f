package dev.lethe.root.zfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.boot.InitrdScript;
import dev.lethe.config.ConfigLoader;
import dev.lethe.root.ArchiveTime;
import dev.lethe.root.RootStrategy.WipeRequest;
import dev.lethe.testing.Trees;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The initrd wipe for zfs as {@code lethe install} renders it (POSIX sh, no JVM), run against
 * zfs-fuse on a {@link TestPool}: its archives are listed, proven, read and destroyed by the Java
 * strategy and the other way round; a root whose boot left no activation mark is archived degraded;
 * killed (SIGKILL) before each of its zfs commands and run again, by itself or by the Java wipe, it
 * ends with a usable root and every archive; and it finishes a Java wipe killed at any command.
 * Needs root in a private mount namespace (./test).
 */
@ExtendWith(ZfsFuse.ForTheClass.class)
class ZfsInitrdWipeTest {

    private record Run(int exit, String output) {}

    private static Path script(TestPool p) throws Exception {
        Path config = p.scratch.resolve("lethe.toml");
        Files.writeString(config, """
                [root]
                strategy = "zfs"
                dataset = "%s"
                blank = "blank"
                """.formatted(p.root));
        Files.createDirectories(p.sys.resolve("etc"));
        Path script = p.scratch.resolve("lethe-initrd");
        Files.writeString(script, InitrdScript.render(ConfigLoader.load(config, p.sys)));
        return script;
    }

    private static Run wipe(TestPool p, Path script, int crashAt) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sh", script.toString(), "wipe").redirectErrorStream(true);
        builder.environment().put("LETHE_TOP", p.scratch.resolve("initrd-root").toString());
        builder.environment().put("LETHE_TEST_STDERR", "1");  // not into the host's kernel log
        if (crashAt > 0) {
            builder.environment().put("LETHE_TEST_CRASH_AT", Integer.toString(crashAt));
        }
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the initrd wipe did not finish in 120 s: " + output);
        }
        return new Run(process.exitValue(), output);
    }

    private static void activated(TestPool p) throws Exception {
        Files.writeString(p.rootMount.resolve(".lethe-activated"), "boot finished\n");
    }

    @Test
    void itsArchivesAreTheJavaStrategysAndTheOtherWayRound() throws Exception {
        try (TestPool p = new TestPool()) {
            ZfsStrategy strategy = p.strategy();
            Path script = script(p);
            activated(p);
            Map<String, String> first = Trees.manifest(p.rootMount);

            Run run = wipe(p, script, -1);

            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(run.output()).contains("lethe: wipe done", "lethe: rename " + p.root + " to " + p.pool
                    + "/lethe-archives/root.").doesNotContain("DEGRADED");
            ArchiveRef byScript = strategy.archives().getFirst();
            assertThat(strategy.archives()).hasSize(1);
            assertThat(byScript.degraded()).isFalse();
            assertThat(strategy.read(byScript, Trees::manifest)).as("the archive is the old root").isEqualTo(first);
            assertThat(Trees.manifest(p.rootMount)).as("the new root is the blank").isEqualTo(p.blank);
            String archive = p.pool + "/lethe-archives/" + byScript.id();
            assertThat(p.get("origin", archive)).isEqualTo(p.root + "@blank");
            assertThat(p.get("origin", p.root)).isEqualTo("-");
            assertThat(p.get("origin", p.root + "/var")).isEqualTo("-");
            assertThat(p.get("mountpoint", p.root)).as("the old root's own properties").isEqualTo(p.rootMount.toString());
            assertThat(p.get("lethe:created", archive)).isEqualTo(byScript.created().toString());
            for (String dataset : List.of(archive, archive + "/var", archive + "/var/cache")) {
                assertThat(p.get("canmount", dataset)).isEqualTo("noauto");
                assertThat(p.get("readonly", dataset)).isEqualTo("on");
                assertThat(p.get("lethe:guid", dataset)).isEqualTo(p.get("guid", dataset));
            }

            // The Java wipe next, then the script again on a root whose boot did not finish.
            Map<String, String> second = p.use("boot-2");
            ArchiveRef byJava = strategy.wipe(new WipeRequest(ArchiveTime.next(strategy, Clock.systemUTC()), false)).archive();
            Map<String, String> third = p.use("boot-3");
            Run degraded = wipe(p, script, -1);
            assertThat(degraded.exit()).as(degraded.output()).isZero();
            assertThat(degraded.output()).contains("WARNING", "DEGRADED");
            List<ArchiveRef> archives = strategy.archives();
            assertThat(archives).hasSize(3);
            ArchiveRef newest = archives.getFirst();
            assertThat(newest.degraded()).isTrue();
            assertThat(newest.id()).endsWith(".degraded");
            assertThat(archives.get(1)).as("named after the newest even if the clock lags").isEqualTo(byJava);
            assertThat(p.get("lethe:degraded", p.pool + "/lethe-archives/" + newest.id())).isEqualTo("yes");
            assertThat(strategy.read(newest, Trees::manifest)).isEqualTo(third);
            assertThat(strategy.read(byJava, Trees::manifest)).isEqualTo(second);

            // The Java side proves and destroys what the script made.
            strategy.destroy(byScript);
            strategy.destroy(newest);
            assertThat(strategy.archives()).containsExactly(byJava);
            assertThat(Trees.manifest(p.rootMount)).isEqualTo(p.blank);
            assertThat(Trees.manifest(p.storeMount)).isEqualTo(p.storeContent);
        }
    }

    /**
     * SIGKILL before each zfs command of the script, then a re-run: by the script on odd steps, by the
     * Java wipe on even ones. Each round wipes the root the previous round left, after a "boot" used
     * it; afterwards the root is the blank and exactly one archive more holds what it held.
     */
    @Test
    void killedBeforeEachCommandAndRunAgainItKeepsEveryArchive() throws Exception {
        try (TestPool p = new TestPool()) {
            ZfsStrategy strategy = p.strategy();
            Path script = script(p);
            Map<String, String> used = Trees.manifest(p.rootMount);
            Map<ArchiveRef, Map<String, String>> kept = new LinkedHashMap<>();
            int crashes = 0;
            for (int point = 1; point < 100; point++) {
                Run crashed = wipe(p, script, point);
                if (crashed.exit() == 0) {
                    verify(p, strategy, kept, used, "uncut");
                    break;
                }
                assertThat(crashed.exit()).as("killed before command %d: %s", point, crashed.output()).isEqualTo(137);
                crashes++;
                if (point % 2 == 1) {
                    Run again = wipe(p, script, -1);
                    assertThat(again.exit()).as("re-run after a kill before command %d: %s", point, again.output()).isZero();
                } else {
                    strategy.wipe(new WipeRequest(ArchiveTime.next(strategy, Clock.systemUTC()), true));
                }
                verify(p, strategy, kept, used, "killed before command " + point);
                used = p.use("boot-" + (point + 1));
            }
            System.out.println("zfs initrd wipe: killed and re-run at " + crashes + " points");
            assertThat(crashes).as("zfs commands of the initrd wipe").isGreaterThanOrEqualTo(15);
            for (Map.Entry<ArchiveRef, Map<String, String>> archive : kept.entrySet()) {
                assertThat(strategy.read(archive.getKey(), Trees::manifest)).as(archive.getKey().id())
                        .isEqualTo(archive.getValue());
            }
        }
    }

    /** The Java wipe killed before each of its zfs commands; the script at the next boot finishes it. */
    @Test
    void itFinishesAJavaWipeKilledAtAnyCommand() throws Exception {
        try (TestPool p = new TestPool()) {
            ZfsStrategy strategy = p.strategy();
            Path script = script(p);
            Map<String, String> used = Trees.manifest(p.rootMount);
            Map<ArchiveRef, Map<String, String>> kept = new LinkedHashMap<>();
            for (int point = 1; point < 100; point++) {
                String now = Long.toString(ArchiveTime.next(strategy, Clock.systemUTC()).getEpochSecond());
                OwnJvm.Run crashed = OwnJvm.run(point, ZfsWipeMain.class, p.root, "blank", p.sys.toString(), now, "normal",
                        p.scratch.toString());
                if (crashed.exit() == 0) {
                    verify(p, strategy, kept, used, "uncut");
                    break;
                }
                assertThat(crashed.exit()).as("killed before command %d: %s", point, crashed.output()).isEqualTo(137);
                Run again = wipe(p, script, -1);
                assertThat(again.exit()).as("the script after the Java wipe was killed before command %d: %s", point,
                        again.output()).isZero();
                verify(p, strategy, kept, used, "Java killed before command " + point);
                used = p.use("boot-" + (point + 1));
            }
        }
    }

    /** The root is the blank; exactly one archive more, holding {@code used}; the earlier ones and the store intact. */
    private static void verify(TestPool p, ZfsStrategy strategy, Map<ArchiveRef, Map<String, String>> kept,
                               Map<String, String> used, String when) throws Exception {
        assertThat(Trees.manifest(p.rootMount)).as("the root, " + when).isEqualTo(p.blank);
        assertThat(p.get("origin", p.root)).as(when).isEqualTo("-");
        List<ArchiveRef> archives = strategy.archives();
        List<ArchiveRef> added = new ArrayList<>(archives);
        added.removeAll(kept.keySet());
        assertThat(added).as("exactly one archive more, " + when).hasSize(1);
        assertThat(archives).as(when).containsAll(kept.keySet()).hasSize(kept.size() + 1);
        ArchiveRef made = added.getFirst();
        assertThat(archives.getFirst()).as("the newest, " + when).isEqualTo(made);
        assertThat(p.get("lethe:state", p.pool + "/lethe-archives/" + made.id())).as(when).isEqualTo("done");
        assertThat(strategy.read(made, Trees::manifest)).as("what the root held, " + when).isEqualTo(used);
        assertThat(Trees.manifest(p.storeMount)).isEqualTo(p.storeContent);
        kept.put(made, used);
    }
}
