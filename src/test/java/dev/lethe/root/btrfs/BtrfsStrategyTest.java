package dev.lethe.root.btrfs;

import dev.lethe.testing.ChildJvm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy;
import dev.lethe.root.RootStrategy.WipeRequest;
import dev.lethe.root.btrfs.BtrfsDisk.Sub;
import dev.lethe.testing.Sh;
import dev.lethe.testing.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The btrfs strategy on a real btrfs filesystem (a loop device): what a wipe keeps, makes and
 * leaves alone, what destroy may delete, the refusals, and SIGKILL at every step of a wipe and of a
 * destroy. Needs root in a private mount namespace (./test).
 */
class BtrfsStrategyTest {

    private static final Instant T1 = Instant.parse("2026-11-28T21:45:00Z");
    private static final Instant T2 = Instant.parse("2026-11-29T07:10:30Z");
    private static final String A1 = "@root.20261128T214500Z";
    private static final String A2 = "@root.20261129T071030Z";
    private static final String OTHERS_NOTE = "every subvolume but the root keeps its path, ID and UUID";

    /** The trees a wipe must not change, and the old root's content, taken before. */
    private record Before(Map<String, Sub> subvolumes, Map<String, String> root, Map<String, String> blank,
                          Map<String, String> persist, Map<String, String> home) {
        static Before of(BtrfsDisk disk) throws IOException {
            return new Before(disk.subvolumes(), disk.manifest("@root"), disk.manifest("@root-blank"),
                    disk.manifest("@persist"), disk.manifest("@home"));
        }
    }

    @Test
    void wipeKeepsTheRootAsAnArchiveAndRecreatesItFromTheBlank() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            disk.standardLayout();
            Before before = Before.of(disk);
            RootStrategy strategy = disk.strategy("@root", "@root-blank");
            strategy.check();

            List<String> plan = strategy.planWipe(new WipeRequest(T1, false)).sentences();
            assertThat(plan).containsExactly(
                    "create the directory lethe-archives on the top level of " + disk.device,
                    "record lethe-archives/" + A1 + " (subvolume ID " + before.subvolumes().get("@root").id() + ", UUID "
                            + before.subvolumes().get("@root").uuid() + ") in lethe-archives/.lethe-registry",
                    "keep /@root as archive lethe-archives/" + A1 + " (a rename: constant time)",
                    "make /@root a writable snapshot of /@root-blank");
            assertThat(disk.subvolumes()).as("planning changes nothing").isEqualTo(before.subvolumes());
            assertThat(Files.exists(disk.at("lethe-archives"))).isFalse();

            RootStrategy.WipeResult result = strategy.wipe(new WipeRequest(T1, false));
            assertThat(result.sentences()).isEqualTo(plan);
            assertThat(result.archive()).isEqualTo(new ArchiveRef(A1, T1, false));

            assertThat(disk.manifest("@root")).as("the new root is the blank").isEqualTo(before.blank());
            assertThat(disk.manifest("lethe-archives/" + A1)).as("the archive holds the old root, nested subvolumes included")
                    .isEqualTo(before.root());
            assertThat(disk.manifest("lethe-archives/" + A1 + "/var/lib/machines/inner")).containsKey("image.raw");
            assertThat(Files.readSymbolicLink(disk.at("lethe-archives/" + A1 + "/etc/localtime")))
                    .isEqualTo(Path.of("/usr/share/zoneinfo/UTC"));
            assertUntouched(disk, before);
            assertArchivedOnce(disk, before, A1);
            assertThat(Sh.run("btrfs", "property", "get", "-ts", disk.at("@root").toString(), "ro").strip())
                    .as("the new root is writable").isEqualTo("ro=false");

            assertThat(strategy.archives()).containsExactly(new ArchiveRef(A1, T1, false));
            String registry = disk.registry();
            assertThat(registry).contains("name=" + A1 + "\tsubvolume=@root\tuuid=" + before.subvolumes().get("@root").uuid()
                    + "\tid=" + before.subvolumes().get("@root").id() + "\tcreated=2026-11-28T21:45:00Z\tdegraded=false\n");
            assertThat(Files.getPosixFilePermissions(disk.at("lethe-archives"))).hasSize(3);  // rwx------

            Map<String, String> seen = strategy.read(strategy.archives().getFirst(), Trees::manifest);
            assertThat(seen).as("read() shows the archive, nested subvolumes included").isEqualTo(before.root());
            Boolean writable = strategy.read(strategy.archives().getFirst(), files -> Files.isWritable(files)
                    || Sh.tryRun("touch", files.resolve("x").toString()).exit() == 0);
            assertThat(writable).as("read() mounts the archive read-only").isFalse();
            assertNoLeftovers(disk);
        }
    }

    @Test
    void secondWipeKeepsASecondArchiveAndDegradedBootsAreMarked() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            disk.standardLayout();
            RootStrategy strategy = disk.strategy("@root", "@root-blank");
            strategy.wipe(new WipeRequest(T1, false));
            disk.use("@root", "etc/boot-2");
            Map<String, String> secondRoot = disk.manifest("@root");

            RootStrategy.WipeResult second = strategy.wipe(new WipeRequest(T2, true));
            String degraded = A2 + ".degraded";
            assertThat(second.archive()).isEqualTo(new ArchiveRef(degraded, T2, true));
            assertThat(second.sentences()).anyMatch(s -> s.contains("marked degraded"));
            assertThat(disk.manifest("lethe-archives/" + degraded)).isEqualTo(secondRoot);
            assertThat(disk.manifest("@root")).isEqualTo(disk.manifest("@root-blank"));
            assertThat(strategy.archives()).containsExactly(new ArchiveRef(degraded, T2, true), new ArchiveRef(A1, T1, false));
            assertThat(disk.archiveSubvolumes()).containsExactlyInAnyOrder(A1, degraded);
        }
    }

    @Test
    void aWipeOfAnUntouchedFreshRootKeepsNoEmptyArchive() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            disk.standardLayout();
            RootStrategy strategy = disk.strategy("@root", "@root-blank");
            strategy.wipe(new WipeRequest(T1, false));
            Map<String, Sub> after = disk.subvolumes();

            // Nothing booted from the new root (a crash right after the wipe, or two wipes in a row).
            assertThat(strategy.planWipe(new WipeRequest(T2, false)).sentences()).singleElement().asString()
                    .contains("untouched snapshot of /@root-blank");
            RootStrategy.WipeResult again = strategy.wipe(new WipeRequest(T2, false));
            assertThat(again.archive()).isEqualTo(new ArchiveRef(A1, T1, false));
            assertThat(disk.subvolumes()).isEqualTo(after);

            disk.use("@root", "etc/written");
            assertThat(strategy.wipe(new WipeRequest(T2, false)).archive().id()).isEqualTo(A2);
        }
    }

    @Test
    void destroyRemovesTheArchiveAndItsNestedSubvolumesAndNothingElse() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            disk.standardLayout();
            RootStrategy strategy = twoArchives(disk);
            Map<String, Sub> before = disk.subvolumes();
            Map<String, Map<String, String>> trees = trees(disk, "@root", "@root-blank", "@persist", "@home", "lethe-archives/" + A2);
            assertThat(before).containsKeys("lethe-archives/" + A1 + "/var/lib/machines",
                    "lethe-archives/" + A1 + "/var/lib/machines/inner");

            strategy.destroy(new ArchiveRef(A1, T1, false));

            Map<String, Sub> expected = new TreeMap<>(before);
            expected.keySet().removeIf(path -> path.equals("lethe-archives/" + A1) || path.startsWith("lethe-archives/" + A1 + "/"));
            assertThat(expected).hasSize(before.size() - 3);
            assertThat(disk.subvolumes()).isEqualTo(expected);
            assertThat(trees(disk, trees.keySet().toArray(String[]::new))).isEqualTo(trees);
            assertThat(Files.exists(disk.at("lethe-archives/" + A1))).isFalse();
            assertThat(strategy.archives()).containsExactly(new ArchiveRef(A2, T2, false));
            assertThat(disk.registry()).doesNotContain(A1).contains(A2);
            assertNoLeftovers(disk);
        }
    }

    @Test
    void destroyRefusesWhatItCannotProveIsItsOwnArchive() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            disk.standardLayout();
            RootStrategy strategy = twoArchives(disk);
            // A subvolume with an archive's name that lethe did not record.
            String stranger = "@root.20200101T000000Z";
            Sh.run("btrfs", "subvolume", "create", disk.at("lethe-archives/" + stranger).toString());
            // A recorded name whose subvolume was replaced by another one of the same name.
            Sh.run("btrfs", "subvolume", "delete", disk.at("lethe-archives/" + A1 + "/var/lib/machines/inner").toString());
            Sh.run("btrfs", "subvolume", "delete", disk.at("lethe-archives/" + A1 + "/var/lib/machines").toString());
            Sh.run("btrfs", "subvolume", "delete", disk.at("lethe-archives/" + A1).toString());
            Sh.run("btrfs", "subvolume", "create", disk.at("lethe-archives/" + A1).toString());
            Files.writeString(disk.at("lethe-archives/" + A1 + "/someone-elses"), "data\n");
            Map<String, Sub> before = disk.subvolumes();
            String registry = disk.registry();
            Map<String, Map<String, String>> trees = trees(disk, "@persist", "@home", "lethe-archives/" + A1);

            assertRefused(() -> strategy.destroy(new ArchiveRef(stranger, T1, false)), "not an archive of @root that lethe recorded");
            assertRefused(() -> strategy.destroy(new ArchiveRef("@persist", T1, false)), "not an archive of @root that lethe recorded");
            assertRefused(() -> strategy.destroy(new ArchiveRef("../@persist", T1, false)), "is not the name of an archive");
            assertRefused(() -> strategy.destroy(new ArchiveRef("@root", T1, false)), "not an archive of @root that lethe recorded");
            assertRefused(() -> strategy.destroy(new ArchiveRef(A1, T1, false)), "it is not the archive lethe made");
            assertRefused(() -> strategy.read(new ArchiveRef(A1, T1, false), files -> null), "it is not the archive lethe made");

            assertThat(disk.subvolumes()).isEqualTo(before);
            assertThat(disk.registry()).isEqualTo(registry);
            assertThat(trees(disk, trees.keySet().toArray(String[]::new))).isEqualTo(trees);
            assertThat(strategy.archives()).as("a replaced archive is not listed").containsExactly(new ArchiveRef(A2, T2, false));
            assertNoLeftovers(disk);
        }
    }

    @Test
    void badInputIsRefusedWithNothingTouched() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            disk.standardLayout();
            Files.createDirectories(disk.at("@plain/etc"));
            Sh.run("btrfs", "subvolume", "snapshot", disk.at("@root-blank").toString(), disk.at("@blank-rw").toString());
            Sh.run("btrfs", "subvolume", "snapshot", "-r", disk.at("@root-blank").toString(), disk.at("@root/blank").toString());
            Map<String, Sub> before = disk.subvolumes();
            Map<String, Map<String, String>> trees = trees(disk, "@root", "@root-blank", "@persist", "@home", "@plain");

            refusedEverywhere(disk.strategyOn("/dev/lethe-no-such-disk", "@root", "@root-blank"),
                    "the btrfs device /dev/lethe-no-such-disk does not exist");
            refusedEverywhere(disk.strategyOn("/dev/null", "@root", "@root-blank"), "/dev/null holds no filesystem", "not btrfs");
            refusedEverywhere(disk.strategy("@plain", "@root-blank"),
                    "[root] subvolume @plain on " + disk.device + " is a plain directory, not a btrfs subvolume");
            refusedEverywhere(disk.strategy("@nothing", "@root-blank"),
                    "the root subvolume @nothing does not exist on " + disk.device);
            refusedEverywhere(disk.strategy("@root", "@blank-rw"),
                    "the blank subvolume @blank-rw on " + disk.device + " is writable", "btrfs property set -ts");
            refusedEverywhere(disk.strategy("@root", "@no-blank"), "the blank subvolume @no-blank does not exist");
            // Names wrong on their own are config errors now (config.RootConfigParseTest): no strategy is
            // ever built on them, so none of them can reach the disk.
            for (String[] names : List.of(new String[] {"@root", "@root"}, new String[] {"@root", "@root/blank"},
                    new String[] {"@root", "../@root-blank"}, new String[] {"lethe-archives/x", "@root-blank"})) {
                assertThatThrownBy(() -> disk.strategy(names[0], names[1])).as(String.join(" ", names))
                        .isInstanceOf(IllegalArgumentException.class);
            }

            // The root as the default subvolume: after a wipe the machine would boot into the archive.
            Sh.run("btrfs", "subvolume", "set-default", Long.toString(before.get("@root").id()), disk.top.toString());
            refusedEverywhere(disk.strategy("@root", "@root-blank"),
                    "subvolume @root is the default subvolume of " + disk.device, "set-default 5");
            Sh.run("btrfs", "subvolume", "set-default", "5", disk.top.toString());

            // The store @persist, mounted where the root's /persist is, named as the root.
            Path persist = disk.hostRoot.resolve("persist");
            Files.createDirectories(persist);
            Sh.run("mount", "-o", "subvol=@persist", disk.device, persist.toString());
            refusedEverywhere(disk.strategy("@persist", "@root-blank", "/persist"),
                    "store /persist is on subvolume /@persist of " + disk.device, "subvolume = \"@persist\"");
            disk.strategy("@root", "@root-blank", "/persist").check();  // the right config passes
            Sh.run("umount", persist.toString());

            // A store that is a plain directory of the root: mounted as the root, /persist lies in @root.
            Sh.run("mount", "-o", "subvol=@root", disk.device, disk.hostRoot.toString());
            refusedEverywhere(disk.strategy("@root", "@root-blank", "/persist"),
                    "store /persist is on subvolume /@root of " + disk.device);
            Sh.run("umount", disk.hostRoot.toString());

            assertThat(disk.subvolumes()).isEqualTo(before);
            assertThat(trees(disk, trees.keySet().toArray(String[]::new))).isEqualTo(trees);
            assertThat(Files.exists(disk.at("lethe-archives"))).isFalse();
            assertNoLeftovers(disk);
        }
    }

    @Test
    void aRegistryLostAfterTheRenameIsRebuiltFromTheArchiveNameBeforeTheRootIsRecreated() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            disk.standardLayout();
            Before before = Before.of(disk);
            // The state a wipe leaves if its record is lost after the rename (a registry restored from an old copy).
            Files.createDirectories(disk.at("lethe-archives"));
            Files.move(disk.at("@root"), disk.at("lethe-archives/" + A1));
            RootStrategy strategy = disk.strategy("@root", "@root-blank");

            RootStrategy.WipeResult result = strategy.wipe(new WipeRequest(T2, false));

            assertThat(result.archive()).isEqualTo(new ArchiveRef(A1, T1, false));
            assertThat(result.sentences()).anyMatch(s -> s.contains("left no record"));
            assertArchivedOnce(disk, before, A1);
            assertThat(disk.manifest("@root")).isEqualTo(before.blank());
            assertThat(strategy.archives()).containsExactly(new ArchiveRef(A1, T1, false));
        }
    }

    /** SIGKILL before each step of a wipe; after a re-run there is one archive of the old root and a fresh root. */
    @Test
    void aWipeKilledAtAnyStepAndRerunKeepsExactlyOneArchive() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            int crashes = 0;
            for (int point = 1; ; point++) {
                disk.format();
                disk.standardLayout();
                Before before = Before.of(disk);
                Run run = process(disk, Map.of("LETHE_TEST_CRASH_AT", Integer.toString(point)),
                        "wipe", disk.device, "@root", "@root-blank", disk.scratch.resolve("crash-" + point).toString(), T1.toString());
                if (run.exit() == 0) {
                    assertArchivedOnce(disk, before, A1);
                    break;
                }
                assertThat(run.exit()).as("killed at step %d: %s", point, run.output()).isEqualTo(137);
                crashes++;
                BtrfsDisk.unmountBelow(disk.scratch.resolve("crash-" + point));  // what the reboot does
                assertOldRootSomewhere(disk, before, point);

                RootStrategy.WipeResult rerun = disk.strategy("@root", "@root-blank").wipe(new WipeRequest(T2, false));

                List<String> archives = disk.archiveSubvolumes();
                assertThat(archives).as("after a crash at step %d", point).hasSize(1);
                assertThat(rerun.archive().id()).isEqualTo(archives.getFirst());
                assertArchivedOnce(disk, before, archives.getFirst());
                assertThat(disk.manifest("@root")).as("step %d", point).isEqualTo(before.blank());
                assertThat(disk.strategy("@root", "@root-blank").archives()).extracting(ArchiveRef::id)
                        .containsExactly(archives.getFirst());
            }
            assertThat(crashes).as("steps of a wipe").isGreaterThanOrEqualTo(6);
        }
    }

    /** SIGKILL before each step of a destroy; no other archive or subvolume is lost, and a re-run finishes. */
    @Test
    void aDestroyKilledAtAnyStepLosesNothingElseAndARerunFinishes() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            int crashes = 0;
            for (int point = 1; ; point++) {
                disk.format();
                disk.standardLayout();
                twoArchives(disk);
                Map<String, Sub> before = disk.subvolumes();
                Map<String, Map<String, String>> trees = trees(disk, "@root", "@root-blank", "@persist", "@home", "lethe-archives/" + A2);
                Map<String, Sub> expected = new TreeMap<>(before);
                expected.keySet().removeIf(path -> path.startsWith("lethe-archives/" + A1));

                Run run = process(disk, Map.of("LETHE_TEST_CRASH_AT", Integer.toString(point)),
                        "destroy", disk.device, "@root", "@root-blank", disk.scratch.resolve("crash-" + point).toString(), A1);
                if (run.exit() == 0) {
                    assertThat(disk.subvolumes()).isEqualTo(expected);
                    break;
                }
                assertThat(run.exit()).as("killed at step %d: %s", point, run.output()).isEqualTo(137);
                crashes++;
                BtrfsDisk.unmountBelow(disk.scratch.resolve("crash-" + point));
                Map<String, Sub> between = new TreeMap<>(disk.subvolumes());
                between.keySet().removeIf(path -> path.startsWith("lethe-archives/" + A1));
                assertThat(between).as("after a crash at step %d", point).isEqualTo(expected);
                assertThat(trees(disk, trees.keySet().toArray(String[]::new))).isEqualTo(trees);

                // The re-run, as a prune does it: destroy what is still listed.
                RootStrategy strategy = disk.strategy("@root", "@root-blank");
                if (strategy.archives().contains(new ArchiveRef(A1, T1, false))) {
                    strategy.destroy(new ArchiveRef(A1, T1, false));
                }

                assertThat(disk.subvolumes()).as("step %d", point).isEqualTo(expected);
                assertThat(trees(disk, trees.keySet().toArray(String[]::new))).isEqualTo(trees);
                assertThat(strategy.archives()).containsExactly(new ArchiveRef(A2, T2, false));
            }
            assertThat(crashes).as("steps of a destroy").isGreaterThanOrEqualTo(5);
        }
    }

    // ---- helpers ----

    /** Two wipes with a boot between them: archives A1 (with nested subvolumes) and A2. */
    private static RootStrategy twoArchives(BtrfsDisk disk) throws IOException {
        RootStrategy strategy = disk.strategy("@root", "@root-blank");
        strategy.wipe(new WipeRequest(T1, false));
        disk.use("@root", "etc/boot-2");
        strategy.wipe(new WipeRequest(T2, false));
        return strategy;
    }

    private static Map<String, Map<String, String>> trees(BtrfsDisk disk, String... paths) throws IOException {
        Map<String, Map<String, String>> trees = new TreeMap<>();
        for (String path : paths) {
            trees.put(path, disk.manifest(path));
        }
        return trees;
    }

    /** Every subvolume but the root is where it was, with its ID, UUID and content. */
    private static void assertUntouched(BtrfsDisk disk, Before before) throws IOException {
        assertThat(disk.manifest("@persist")).isEqualTo(before.persist());
        assertThat(disk.manifest("@home")).isEqualTo(before.home());
        assertThat(disk.manifest("@root-blank")).isEqualTo(before.blank());
    }

    /**
     * The old root, with its nested subvolumes, is the archive {@code name} (same IDs and UUIDs: a
     * rename); the new root is a snapshot of the blank; nothing else changed and nothing else appeared.
     */
    private static void assertArchivedOnce(BtrfsDisk disk, Before before, String name) throws IOException {
        Map<String, Sub> expected = new TreeMap<>();
        before.subvolumes().forEach((path, sub) -> expected.put(
                path.equals("@root") || path.startsWith("@root/") ? "lethe-archives/" + name + path.substring(5) : path, sub));
        Map<String, Sub> now = new TreeMap<>(disk.subvolumes());
        Sub root = now.remove("@root");
        assertThat(root).as("a root subvolume exists").isNotNull();
        assertThat(now).as(OTHERS_NOTE).isEqualTo(expected);
        assertThat(disk.manifest("lethe-archives/" + name)).isEqualTo(before.root());
        assertUntouched(disk, before);
    }

    /** Between a crash and the re-run: the old root's content is whole, as the root or as an archive. */
    private static void assertOldRootSomewhere(BtrfsDisk disk, Before before, int point) throws IOException {
        List<Map<String, String>> places = new ArrayList<>();
        if (Files.exists(disk.at("@root"))) {
            places.add(disk.manifest("@root"));
        }
        for (String archive : disk.archiveSubvolumes()) {
            places.add(disk.manifest("lethe-archives/" + archive));
        }
        assertThat(places).as("the old root after a crash at step %d", point).contains(before.root());
        assertUntouched(disk, before);
    }

    private static void assertRefused(ThrowingCall call, String... phrases) {
        assertThatThrownBy(call::run).isInstanceOf(RootException.class).satisfies(e -> {
            for (String phrase : phrases) {
                assertThat(e.getMessage()).contains(phrase);
            }
        });
    }

    /** check, planWipe, wipe and archives all refuse, each saying what is wrong. */
    private static void refusedEverywhere(RootStrategy strategy, String... phrases) {
        assertRefused(strategy::check, phrases);
        assertRefused(() -> strategy.planWipe(new WipeRequest(T1, false)), phrases);
        assertRefused(() -> strategy.wipe(new WipeRequest(T1, false)), phrases);
    }

    /** No mount and no mount directory is left in any strategy scratch directory. */
    private static void assertNoLeftovers(BtrfsDisk disk) throws IOException {
        assertThat(BtrfsDisk.mountsBelow(disk.scratch)).allMatch(m -> m.equals(disk.top.toString()));
        try (var dirs = Files.list(disk.scratch)) {
            for (Path dir : dirs.filter(p -> p.getFileName().toString().startsWith("strategy-")).toList()) {
                try (var left = Files.list(dir)) {
                    assertThat(left.toList()).as("left in %s", dir).isEmpty();
                }
            }
        }
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }

    private record Run(int exit, String output) {}

    /** Runs {@link BtrfsMain} in a JVM of its own, so that it can be killed. */
    private static Run process(BtrfsDisk disk, Map<String, String> environment, String... args) throws Exception {
        List<String> command = ChildJvm.command(BtrfsMain.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(new HashMap<>(environment));
        Path output = disk.scratch.resolve("process.out");
        builder.redirectOutput(output.toFile());
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("BtrfsMain did not finish in 120 s");
        }
        return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }
}
