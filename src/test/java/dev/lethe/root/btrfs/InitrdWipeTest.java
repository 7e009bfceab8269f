package dev.lethe.root.btrfs;

import dev.lethe.testing.ChildJvm;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.boot.InitrdScript;
import dev.lethe.config.Config;
import dev.lethe.config.ConfigLoader;
import dev.lethe.root.RootStrategy;
import dev.lethe.root.RootStrategy.WipeRequest;
import dev.lethe.testing.Sh;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The initrd wipe as install renders it (POSIX sh, no JVM), run on a real btrfs filesystem: it keeps
 * the old root as an archive the Java side proves and lists, makes the fresh root from the blank,
 * marks a root whose boot did not finish as degraded, leaves an untouched fresh root alone, and,
 * killed before any step and run again (by itself or by the Java wipe), finishes with exactly one
 * archive. Needs root in a private mount namespace (./test).
 */
class InitrdWipeTest {

    private record Run(int exit, String output) {}

    private static Path script(BtrfsDisk disk) throws Exception {
        Path config = disk.scratch.resolve("lethe.toml");
        Files.writeString(config, """
                [root]
                strategy = "btrfs"
                device = "%s"
                subvolume = "@root"
                blank = "@root-blank"
                """.formatted(disk.device));
        Files.createDirectories(disk.hostRoot.resolve("etc"));
        Config loaded = ConfigLoader.load(config, disk.hostRoot);
        Path script = disk.scratch.resolve("lethe-initrd");
        Files.writeString(script, InitrdScript.render(loaded));
        return script;
    }

    private static Run wipe(BtrfsDisk disk, Path script, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sh", script.toString(), "wipe").redirectErrorStream(true);
        builder.environment().put("LETHE_TOP", disk.scratch.resolve("initrd-top").toString());
        builder.environment().put("LETHE_TEST_STDERR", "1");  // not into the host's kernel log
        builder.environment().put("LETHE_RUN", disk.scratch.resolve("run-lethe").toString());  // nor its /run
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the initrd wipe did not finish in 60 s: " + output);
        }
        return new Run(process.exitValue(), output);
    }

    private static List<ArchiveRef> archives(BtrfsDisk disk) throws IOException {
        return disk.strategy("@root", "@root-blank").archives();
    }

    @Test
    void keepsTheOldRootAsAnArchiveTheJavaSideProvesAndMakesAFreshRoot() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            disk.standardLayout();
            Files.writeString(disk.at("@root/.lethe-activated"), "boot finished\n");
            Map<String, String> oldRoot = disk.manifest("@root");
            Map<String, String> blank = disk.manifest("@root-blank");
            Path script = script(disk);

            Run run = wipe(disk, script, Map.of());

            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(run.output()).contains("lethe: wipe done").doesNotContain("DEGRADED");
            List<ArchiveRef> archives = archives(disk);
            assertThat(archives).hasSize(1);
            assertThat(archives.getFirst().degraded()).isFalse();
            assertThat(archives.getFirst().created()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(2));
            assertThat(disk.manifest("lethe-archives/" + archives.getFirst().id())).isEqualTo(oldRoot);
            assertThat(disk.manifest("@root")).as("the fresh root is the blank").isEqualTo(blank);
            assertThat(disk.subvolumes()).containsKeys("lethe-archives/" + archives.getFirst().id() + "/var/lib/machines/inner");
            assertThat(BtrfsDisk.mountsBelow(disk.scratch.resolve("initrd-top"))).isEmpty();
            assertThat(Files.exists(disk.scratch.resolve("initrd-top/lethe-archives"))).as("unmounted").isFalse();

            Run again = wipe(disk, script, Map.of());
            assertThat(again.exit()).isZero();
            assertThat(again.output()).contains("untouched snapshot");
            assertThat(archives(disk)).as("an untouched fresh root is not archived again").hasSize(1);

            // The Java side destroys what the shell made: it proves the record.
            disk.use("@root", "etc/next-boot");
            Run third = wipe(disk, script, Map.of());
            assertThat(third.exit()).as(third.output()).isZero();
            List<ArchiveRef> two = archives(disk);
            assertThat(two).hasSize(2);
            assertThat(two.getFirst().degraded()).as("the second boot left no activation mark").isTrue();
            assertThat(third.output()).contains("DEGRADED");
            assertThat(two.getFirst().created()).isAfter(two.get(1).created());
            disk.strategy("@root", "@root-blank").destroy(two.get(1));
            assertThat(archives(disk)).containsExactly(two.getFirst());
        }
    }

    /**
     * A machine set up and never booted: the blank was taken from the root and nothing wrote to the
     * root since. Both wipes leave it alone (no degraded archive of a copy of the blank); once
     * something writes to it, it is archived.
     */
    @Test
    void aRootTheBlankWasTakenFromAndNeverBootedIsNotArchived() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            Sh.run("btrfs", "-q", "subvolume", "create", disk.at("@root").toString());
            Files.createDirectories(disk.at("@root/etc"));
            Files.writeString(disk.at("@root/etc/hostname"), "fresh\n");
            Sh.run("btrfs", "-q", "subvolume", "snapshot", "-r", disk.at("@root").toString(), disk.at("@root-blank").toString());
            Path script = script(disk);

            Run run = wipe(disk, script, Map.of());
            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(run.output()).contains("nothing to archive").doesNotContain("DEGRADED");
            assertThat(disk.strategy("@root", "@root-blank").wipe(new WipeRequest(Instant.now(), false)).archive())
                    .as("the Java wipe agrees").isNull();
            assertThat(archives(disk)).isEmpty();

            disk.use("@root", "etc/booted");
            Run used = wipe(disk, script, Map.of());
            assertThat(used.exit()).as(used.output()).isZero();
            assertThat(archives(disk)).singleElement().satisfies(a -> assertThat(a.degraded()).isTrue());
        }
    }

    @Test
    void aRootWithoutTheActivationMarkIsArchivedDegraded() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            disk.standardLayout();
            Run run = wipe(disk, script(disk), Map.of());
            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(run.output()).contains("DEGRADED");
            assertThat(archives(disk)).singleElement().satisfies(a -> {
                assertThat(a.degraded()).isTrue();
                assertThat(a.id()).endsWith(".degraded");
            });
        }
    }

    @Test
    void aMissingBlankOrAWritableOneStopsBeforeAnyChange() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            disk.standardLayout();
            Path script = script(disk);
            Sh.run("btrfs", "property", "set", "-ts", disk.at("@root-blank").toString(), "ro", "false");
            Map<String, BtrfsDisk.Sub> before = disk.subvolumes();
            Run run = wipe(disk, script, Map.of());
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.output()).contains("FAILED").contains("writable");
            assertThat(disk.scratch.resolve("run-lethe/wipe-failed")).as("the reason, for lethe status on the booted old root")
                    .content().contains("the blank subvolume @root-blank is writable; make it read-only");
            assertThat(disk.subvolumes()).isEqualTo(before);
            assertThat(BtrfsDisk.mountsBelow(disk.scratch.resolve("initrd-top"))).isEmpty();
        }
    }

    @Test
    void aRootThatIsTheDefaultSubvolumeStopsBeforeAnyChange() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            disk.standardLayout();
            disk.use("@root", "etc/booted");
            Path script = script(disk);
            Sh.run("btrfs", "subvolume", "set-default", disk.at("@root").toString());
            Map<String, BtrfsDisk.Sub> before = disk.subvolumes();
            Run run = wipe(disk, script, Map.of());
            assertThat(run.exit()).as(run.output()).isEqualTo(1);
            assertThat(run.output()).contains("FAILED").contains("@root is the default subvolume");
            assertThat(disk.subvolumes()).isEqualTo(before);
            assertThat(archives(disk)).isEmpty();
        }
    }

    /**
     * {@code lethe=off} on the kernel command line skips lethe for one boot: the old root is booted as
     * it is, nothing archived, nothing made. A word that only starts with it does not count.
     */
    @Test
    void letheOffOnTheKernelCommandLineKeepsTheRootAsItIs() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            disk.standardLayout();
            disk.use("@root", "etc/booted");
            Path script = script(disk);
            Map<String, String> manifest = disk.manifest("@root");
            Map<String, BtrfsDisk.Sub> before = disk.subvolumes();
            Path cmdline = disk.scratch.resolve("cmdline");
            Files.writeString(cmdline, "BOOT_IMAGE=/vmlinuz root=UUID=x ro lethe=off quiet\n");
            Run off = wipe(disk, script, Map.of("LETHE_CMDLINE", cmdline.toString()));
            assertThat(off.exit()).as(off.output()).isZero();
            assertThat(off.output()).contains("lethe=off on the kernel command line");
            assertThat(disk.subvolumes()).isEqualTo(before);
            assertThat(disk.manifest("@root")).isEqualTo(manifest);
            assertThat(archives(disk)).isEmpty();
            assertThat(BtrfsDisk.mountsBelow(disk.scratch.resolve("initrd-top"))).isEmpty();

            Files.writeString(cmdline, "root=UUID=x ro lethe=offline\n");
            Run on = wipe(disk, script, Map.of("LETHE_CMDLINE", cmdline.toString()));
            assertThat(on.exit()).as(on.output()).isZero();
            assertThat(archives(disk)).as("lethe=offline is not lethe=off: the wipe ran").hasSize(1);
        }
    }

    /**
     * The snapshot fails after the root was renamed into the archives (a full disk): the old root is
     * put back in place, so the machine boots it instead of finding no root; its registry line is
     * then a stale record, which the next wipe forgets before archiving that root for real.
     */
    @Test
    void aSnapshotThatFailsAfterTheRenamePutsTheOldRootBack() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            disk.standardLayout();
            Files.writeString(disk.at("@root/.lethe-activated"), "boot finished\n");
            Map<String, String> oldRoot = disk.manifest("@root");
            Path script = script(disk);
            String realBtrfs = java.util.Arrays.stream(System.getenv("PATH").split(":"))
                    .map(dir -> Path.of(dir, "btrfs")).filter(Files::isExecutable).findFirst().orElseThrow().toString();
            Path failing = Files.createDirectories(disk.scratch.resolve("failing-bin"));
            Files.writeString(failing.resolve("btrfs"), """
                    #!/bin/sh
                    if [ "$1" = subvolume ] && [ "$2" = snapshot ]; then echo "ERROR: No space left on device" >&2; exit 1; fi
                    exec %s "$@"
                    """.formatted(realBtrfs));
            failing.resolve("btrfs").toFile().setExecutable(true);

            Run failed = wipe(disk, script, Map.of("PATH", failing + ":" + System.getenv("PATH")));

            assertThat(failed.exit()).as(failed.output()).isEqualTo(1);
            assertThat(failed.output()).contains("cannot snapshot").contains("the old root was put back as @root");
            assertThat(disk.manifest("@root")).as("the old root is back, whole").isEqualTo(oldRoot);
            assertThat(archives(disk)).isEmpty();
            assertThat(BtrfsDisk.mountsBelow(disk.scratch.resolve("initrd-top"))).isEmpty();

            Run next = wipe(disk, script, Map.of());
            assertThat(next.exit()).as(next.output()).isZero();
            assertThat(next.output()).contains("forget the record");
            List<ArchiveRef> archives = archives(disk);
            assertThat(archives).hasSize(1);
            assertThat(disk.manifest("lethe-archives/" + archives.getFirst().id())).isEqualTo(oldRoot);
            assertThat(disk.manifest("@root")).isEqualTo(disk.manifest("@root-blank"));
        }
    }

    /**
     * SIGKILL before each step of the shell wipe; the next boot's wipe (the shell again, or the Java
     * wipe on even steps: either finishes the other's work) leaves exactly one archive holding the old
     * root and a fresh root.
     */
    @Test
    void killedBeforeAnyStepAndRunAgainItKeepsExactlyOneArchive() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            int crashes = 0;
            for (int point = 1; ; point++) {
                disk.format();
                disk.standardLayout();
                Map<String, String> oldRoot = disk.manifest("@root");
                Map<String, String> blank = disk.manifest("@root-blank");
                Path script = script(disk);
                Run crashed = wipe(disk, script, Map.of("LETHE_TEST_CRASH_AT", Integer.toString(point)));
                if (crashed.exit() == 0) {
                    assertThat(archives(disk)).hasSize(1);
                    break;
                }
                assertThat(crashed.exit()).as("killed at step %d: %s", point, crashed.output()).isEqualTo(137);
                crashes++;
                BtrfsDisk.unmountBelow(disk.scratch);  // what the power cut does, and remounts the test's view
                Sh.run("mount", "-o", "subvolid=5,noatime", disk.device, disk.top.toString());

                if (point % 2 == 0) {
                    disk.strategy("@root", "@root-blank").wipe(new WipeRequest(Instant.now().plusSeconds(5), true));
                } else {
                    Run rerun = wipe(disk, script, Map.of());
                    assertThat(rerun.exit()).as("re-run after a crash at step %d: %s", point, rerun.output()).isZero();
                }
                List<String> names = disk.archiveSubvolumes();
                assertThat(names).as("after a crash at step %d", point).hasSize(1);
                assertThat(archives(disk)).extracting(ArchiveRef::id).as("step %d", point).containsExactly(names.getFirst());
                assertThat(disk.manifest("lethe-archives/" + names.getFirst())).as("step %d", point).isEqualTo(oldRoot);
                assertThat(disk.manifest("@root")).as("step %d", point).isEqualTo(blank);
            }
            assertThat(crashes).as("steps of the initrd wipe").isGreaterThanOrEqualTo(3);
        }
    }

    /** The Java wipe killed before each of its steps; the initrd wipe at the next boot finishes it. */
    @Test
    void itFinishesAJavaWipeKilledAtAnyStep() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            for (int point = 1; ; point++) {
                disk.format();
                disk.standardLayout();
                Map<String, String> oldRoot = disk.manifest("@root");
                Path script = script(disk);
                List<String> command = ChildJvm.command(BtrfsMain.class.getName());
                command.addAll(List.of("wipe", disk.device, "@root", "@root-blank",
                        disk.scratch.resolve("java-" + point).toString(), "2026-11-28T21:45:00Z"));
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
                builder.environment().put("LETHE_TEST_CRASH_AT", Integer.toString(point));
                builder.redirectOutput(disk.scratch.resolve("java.out").toFile());
                Process java = builder.start();
                assertThat(java.waitFor(120, TimeUnit.SECONDS)).isTrue();
                if (java.exitValue() == 0) {
                    break;
                }
                assertThat(java.exitValue()).isEqualTo(137);
                BtrfsDisk.unmountBelow(disk.scratch);
                Sh.run("mount", "-o", "subvolid=5,noatime", disk.device, disk.top.toString());

                Run rerun = wipe(disk, script, Map.of());
                assertThat(rerun.exit()).as("after the Java wipe was killed at step %d: %s", point, rerun.output()).isZero();
                List<String> names = disk.archiveSubvolumes();
                assertThat(names).as("step %d", point).hasSize(1);
                assertThat(archives(disk)).extracting(ArchiveRef::id).containsExactly(names.getFirst());
                assertThat(disk.manifest("lethe-archives/" + names.getFirst())).isEqualTo(oldRoot);
            }
        }
    }

    /** Puts a disk in one situation of the wipe. */
    @FunctionalInterface
    private interface Situated {
        void arrange(BtrfsDisk disk) throws Exception;
    }

    private static final Instant EARLIER = Instant.parse("2026-11-28T21:45:00Z");

    /**
     * The steps the script takes (what it says, in order) are the steps the Java planner plans for
     * the same disk, in each situation the script tells apart: the script is rendered from that
     * planner. The new archive's name is the one thing that differs (the script names it after its
     * own clock), so it is compared as the archive each side makes.
     */
    @Test
    void theScriptTakesTheStepsTheJavaPlannerPlansInEachSituation() throws Exception {
        Map<String, Situated> situations = new java.util.LinkedHashMap<>();
        situations.put("ordinary first wipe, no archives folder", disk -> {
            disk.standardLayout();
            Files.writeString(disk.at("@root/.lethe-activated"), "boot finished\n");
        });
        situations.put("ordinary, the archives folder there", disk -> {
            disk.standardLayout();
            disk.strategy("@root", "@root-blank").wipe(new WipeRequest(EARLIER, false));
            disk.use("@root", "etc/boot-2");
            Files.writeString(disk.at("@root/.lethe-activated"), "boot finished\n");
        });
        situations.put("degraded", disk -> {
            disk.standardLayout();
            disk.strategy("@root", "@root-blank").wipe(new WipeRequest(EARLIER, false));
            disk.use("@root", "etc/boot-2");
        });
        situations.put("stale record", disk -> {
            disk.standardLayout();
            Files.writeString(disk.at("@root/.lethe-activated"), "boot finished\n");
            BtrfsDisk.Sub root = disk.subvolumes().get("@root");
            Files.createDirectory(disk.at("lethe-archives"));
            Registry.append(disk.at("lethe-archives/.lethe-registry"),
                    new Registry.Entry("@root.20261128T214500Z", "@root", root.uuid(), root.id(), EARLIER, false));
            // Its last line without a newline (an editor may leave it so): the script must read it too.
            Path registry = disk.at("lethe-archives/.lethe-registry");
            Files.writeString(registry, Files.readString(registry).stripTrailing());
        });
        situations.put("renamed, not recreated", disk -> {
            disk.standardLayout();
            disk.strategy("@root", "@root-blank").wipe(new WipeRequest(EARLIER, false));
            Sh.run("btrfs", "-q", "subvolume", "delete", disk.at("@root").toString());
        });
        situations.put("already fresh", disk -> {
            disk.standardLayout();
            disk.strategy("@root", "@root-blank").wipe(new WipeRequest(EARLIER, false));
        });
        situations.put("never booted", disk -> {
            Sh.run("btrfs", "-q", "subvolume", "create", disk.at("@root").toString());
            Files.writeString(disk.at("@root/hostname"), "fresh\n");
            Sh.run("btrfs", "-q", "subvolume", "snapshot", "-r", disk.at("@root").toString(), disk.at("@root-blank").toString());
        });
        try (BtrfsDisk disk = new BtrfsDisk()) {
            for (var situation : situations.entrySet()) {
                disk.format();
                situation.getValue().arrange(disk);
                boolean degraded = Files.exists(disk.at("@root")) && !Files.exists(disk.at("@root/.lethe-activated"));
                var plan = disk.strategy("@root", "@root-blank").planWipe(new WipeRequest(Instant.now(), degraded));
                List<String> planned = plan.sentences().stream()
                        .map(s -> plan.archive().map(a -> s.replace(a.id(), "ARCHIVE")).orElse(s)).toList();

                Run run = wipe(disk, script(disk), Map.of());

                assertThat(run.exit()).as("%s: %s", situation.getKey(), run.output()).isZero();
                String made = archives(disk).isEmpty() ? "" : archives(disk).getFirst().id();
                List<String> taken = run.output().lines().filter(l -> l.startsWith("lethe: "))
                        .map(l -> l.substring("lethe: ".length()))
                        .filter(l -> !l.startsWith("WARNING") && !l.equals("wipe done"))
                        .map(l -> made.isEmpty() ? l : l.replace(made, "ARCHIVE")).toList();
                assertThat(taken).as(situation.getKey()).isEqualTo(planned).isNotEmpty();
                if (situation.getKey().equals("stale record")) {
                    assertThat(disk.registry()).as("the stale record is forgotten, the new one kept")
                            .doesNotContain("name=@root.20261128T214500Z\t").contains("name=" + made + "\t");
                }
            }
        }
    }
}
