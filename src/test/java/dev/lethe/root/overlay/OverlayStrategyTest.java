package dev.lethe.root.overlay;

import dev.lethe.testing.ChildJvm;
import dev.lethe.testing.Contexts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy.WipeRequest;
import dev.lethe.root.RootStrategy.WipeResult;
import dev.lethe.testing.Sh;
import dev.lethe.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The overlay strategy on real ext4: a loop-mounted image as the read-only lower root, a second one
 * holding {@code upper}, and the overlay really mounted with {@link OverlayStrategy#mountOptions()}.
 */
class OverlayStrategyTest {

    private static final Instant T0 = Instant.parse("2026-11-27T07:15:02Z");

    private static Instant at(int minutes) {
        return T0.plusSeconds(60L * minutes);
    }

    private static String id(Instant time) {
        return BootName.at(time).id();
    }

    /** A boot on the current overlay: mount, change, unmount. */
    private static void boot(OverlayRig rig, OverlayStrategy strategy, String marker) throws IOException {
        rig.mount(strategy);
        try {
            OverlayRig.write(rig.sysroot.resolve("var/" + marker), marker + "\n");
        } finally {
            rig.unmount();
        }
    }

    @Test
    void theArchiveHoldsExactlyWhatABootChangedAndTheNextBootSeesThePristineLower() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            OverlayStrategy strategy = rig.strategy("/overlay", "/persist");
            Map<String, String> lower = Trees.manifest(rig.lowerRw);
            strategy.check();

            WipeResult first = strategy.wipe(new WipeRequest(at(0), false));
            assertThat(first.archive()).as("nothing to archive before the first overlay boot").isNull();
            assertThat(strategy.archives()).isEmpty();
            assertThat(rig.current("/overlay")).isEqualTo(id(at(0)));
            assertThat(strategy.mountOptions().text()).isEqualTo("lowerdir=" + rig.root
                    + ",upperdir=" + rig.disk + "/boots/" + id(at(0)) + "/upper"
                    + ",workdir=" + rig.disk + "/boots/" + id(at(0)) + "/work"
                    + ",redirect_dir=off,metacopy=off,index=off");

            rig.mount(strategy);
            Path sys = rig.sysroot;
            Files.writeString(sys.resolve("etc/new"), "new\n");
            Files.writeString(sys.resolve("etc/hostname"), "changed\n", java.nio.file.StandardOpenOption.APPEND);
            Sh.run("rm", "-r", sys.resolve("etc/dirA").toString());           // a lower directory deleted: a whiteout
            Sh.run("rm", "-r", sys.resolve("etc/dirB").toString());           // deleted and made anew: opaque
            Files.createDirectory(sys.resolve("etc/dirB"));
            Files.writeString(sys.resolve("etc/dirB/z"), "z\n");
            Files.delete(sys.resolve("usr/bin/tool"));
            Files.createDirectories(sys.resolve("var/cache"));
            Files.writeString(sys.resolve("var/cache/blob"), "blob\n");
            Files.createSymbolicLink(sys.resolve("etc/alias"), Path.of("hostname"));
            assertThat(Files.readString(sys.resolve("etc/hostname"))).isEqualTo("pristine\nchanged\n");
            rig.unmount();

            WipeResult second = strategy.wipe(new WipeRequest(at(60), false));
            ArchiveRef archive = new ArchiveRef(id(at(0)), at(0), false);
            assertThat(second.archive()).isEqualTo(archive);
            assertThat(strategy.archives()).containsExactly(archive);
            assertThat(rig.current("/overlay")).isEqualTo(id(at(60)));

            Map<String, String> expected = new TreeMap<>(Map.ofEntries(
                    Map.entry("", "dir"),
                    Map.entry("etc", "dir"),
                    Map.entry("etc/new", "file new\n"),
                    Map.entry("etc/hostname", "file pristine\nchanged\n"),
                    Map.entry("etc/dirA", "whiteout"),
                    Map.entry("etc/dirB", "dir opaque"),
                    Map.entry("etc/dirB/z", "file z\n"),
                    Map.entry("etc/alias", "link -> hostname"),
                    Map.entry("usr", "dir"),
                    Map.entry("usr/bin", "dir"),
                    Map.entry("usr/bin/tool", "whiteout"),
                    Map.entry("var", "dir"),
                    Map.entry("var/cache", "dir"),
                    Map.entry("var/cache/blob", "file blob\n")));
            assertThat(strategy.read(archive, OverlayRig::upperManifest)).isEqualTo(expected);
            assertThat(strategy.<Path>read(archive, files -> files))
                    .isEqualTo(rig.disk.resolve("boots").resolve(id(at(0))).resolve("upper"));
            assertThat(strategy.sizeOf(archive)).isPositive();
            assertThat(Trees.manifest(rig.lowerRw)).as("the lower root is never written").isEqualTo(lower);

            rig.mount(strategy);
            try {
                assertThat(Trees.manifest(rig.sysroot)).as("the new boot sees the pristine lower").isEqualTo(lower);
            } finally {
                rig.unmount();
            }
            assertThat(strategy.read(archive, OverlayRig::upperManifest)).as("unchanged by the next boot").isEqualTo(expected);
        }
    }

    @Test
    void destroyRemovesOnlyThatArchiveAndNeverCurrentOrAnythingNotLethes() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            OverlayStrategy strategy = rig.strategy("/overlay");
            for (int boot = 0; boot < 3; boot++) {
                strategy.wipe(new WipeRequest(at(boot), false));
                boot(rig, strategy, "boot" + boot);
            }
            strategy.wipe(new WipeRequest(at(3), false));
            ArchiveRef oldest = new ArchiveRef(id(at(0)), at(0), false);
            ArchiveRef middle = new ArchiveRef(id(at(1)), at(1), false);
            ArchiveRef newest = new ArchiveRef(id(at(2)), at(2), false);
            assertThat(strategy.archives()).containsExactly(newest, middle, oldest);
            Map<String, String> middleFiles = strategy.read(middle, OverlayRig::upperManifest);
            Map<String, String> newestFiles = strategy.read(newest, OverlayRig::upperManifest);
            String options = strategy.mountOptions().text();

            // Names under boots/ that are not lethe's boot directories: never listed, never destroyed.
            Path boots = rig.disk.resolve("boots");
            OverlayRig.write(boots.resolve("notes/keep"), "mine\n");
            Files.createDirectories(rig.disk.resolve("elsewhere"));
            OverlayRig.write(rig.disk.resolve("elsewhere/precious"), "precious\n");
            Files.createSymbolicLink(boots.resolve("20200101T000000Z"), rig.disk.resolve("elsewhere"));

            strategy.destroy(oldest);

            assertThat(strategy.archives()).containsExactly(newest, middle);
            assertThat(rig.boots("/overlay")).containsExactly("20200101T000000Z", id(at(1)), id(at(2)), id(at(3)), "notes");
            assertThat(strategy.read(middle, OverlayRig::upperManifest)).isEqualTo(middleFiles);
            assertThat(strategy.read(newest, OverlayRig::upperManifest)).isEqualTo(newestFiles);
            assertThat(strategy.mountOptions().text()).isEqualTo(options);

            ArchiveRef current = new ArchiveRef(id(at(3)), at(3), false);
            assertThatThrownBy(() -> strategy.destroy(current)).isInstanceOf(RootException.class)
                    .hasMessageContaining("current boot directory");
            for (String foreign : List.of("notes", "20200101T000000Z", "../elsewhere", id(at(0)), "20261399T000000Z")) {
                assertThatThrownBy(() -> strategy.destroy(new ArchiveRef(foreign, at(0), false)))
                        .as(foreign).isInstanceOf(RootException.class);
            }
            assertThat(rig.boots("/overlay")).containsExactly("20200101T000000Z", id(at(1)), id(at(2)), id(at(3)), "notes");
            assertThat(Files.readString(boots.resolve("notes/keep"))).isEqualTo("mine\n");
            assertThat(Files.readString(rig.disk.resolve("elsewhere/precious"))).isEqualTo("precious\n");

            rig.mount(strategy);
            rig.unmount();  // current is whole and mountable
        }
    }

    @Test
    void anArchiveStillMountedAsAnUpperIsNotDestroyed() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            OverlayStrategy strategy = rig.strategy("/overlay");
            strategy.wipe(new WipeRequest(at(0), false));
            boot(rig, strategy, "first");
            strategy.wipe(new WipeRequest(at(1), false));
            rig.mount(strategy);
            try {
                // A wipe on the live system prepares the next boot; the running root's upper is an archive now.
                WipeResult live = strategy.wipe(new WipeRequest(at(2), false));
                ArchiveRef running = new ArchiveRef(id(at(1)), at(1), false);
                assertThat(live.archive()).isEqualTo(running);
                assertThatThrownBy(() -> strategy.destroy(running)).isInstanceOf(RootException.class)
                        .hasMessageContaining("mounted overlay");
                assertThat(Files.isDirectory(rig.disk.resolve("boots/" + id(at(1)) + "/upper"))).isTrue();
            } finally {
                rig.unmount();
            }
            strategy.destroy(new ArchiveRef(id(at(1)), at(1), false));
            assertThat(strategy.archives()).extracting(ArchiveRef::id).containsExactly(id(at(0)));
        }
    }

    @Test
    void aDegradedBootIsArchivedWithAMarkerBesideItsUpper() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            OverlayStrategy strategy = rig.strategy("/overlay");
            strategy.wipe(new WipeRequest(at(0), false));
            boot(rig, strategy, "written-while-the-store-was-missing");
            WipeResult result = strategy.wipe(new WipeRequest(at(1), true));
            ArchiveRef degraded = new ArchiveRef(id(at(0)), at(0), true);
            assertThat(result.archive()).isEqualTo(degraded);
            assertThat(result.sentences()).anyMatch(step -> step.startsWith("mark boot directory " + id(at(0)) + " degraded"));
            assertThat(strategy.archives()).containsExactly(degraded);
            Path marker = rig.disk.resolve("boots/" + id(at(0)) + "/DEGRADED");
            assertThat(Files.readString(marker)).contains("lethe archive prune " + id(at(0)));
            assertThat(strategy.read(degraded, OverlayRig::upperManifest)).doesNotContainKey("DEGRADED")
                    .containsEntry("var/written-while-the-store-was-missing", "file written-while-the-store-was-missing\n");

            boot(rig, strategy, "fine");
            strategy.wipe(new WipeRequest(at(2), false));
            assertThat(strategy.archives()).containsExactly(new ArchiveRef(id(at(1)), at(1), false), degraded);
        }
    }

    @Test
    void aSecondWipeWithoutABootInBetweenMakesNoEmptyArchive() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            OverlayStrategy strategy = rig.strategy("/overlay");
            strategy.wipe(new WipeRequest(at(0), false));
            WipeResult again = strategy.wipe(new WipeRequest(at(1), false));
            assertThat(again.archive()).isNull();
            assertThat(again.sentences()).singleElement().asString().startsWith("keep boot directory " + id(at(0)));
            assertThat(rig.boots("/overlay")).containsExactly(id(at(0)));

            boot(rig, strategy, "used");
            WipeResult real = strategy.wipe(new WipeRequest(at(2), false));
            WipeResult repeated = strategy.wipe(new WipeRequest(at(3), true));
            assertThat(repeated.archive()).as("the archive the earlier wipe made").isEqualTo(real.archive());
            assertThat(rig.boots("/overlay")).containsExactly(id(at(0)), id(at(2)));
            assertThat(strategy.archives()).containsExactly(new ArchiveRef(id(at(0)), at(0), false));
        }
    }

    @Test
    void aClockBehindTheNewestBootStillNamesTheNewBootAfterIt() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            OverlayStrategy strategy = rig.strategy("/overlay");
            strategy.wipe(new WipeRequest(at(60), false));
            boot(rig, strategy, "used");
            WipeResult result = strategy.wipe(new WipeRequest(Instant.parse("1970-01-01T00:00:07Z"), false));
            String next = id(at(60).plusSeconds(1));
            assertThat(rig.current("/overlay")).isEqualTo(next);
            assertThat(result.sentences()).anyMatch(step -> step.contains("clock (19700101T000007Z) is not past it"));
            assertThat(strategy.archives()).containsExactly(new ArchiveRef(id(at(60)), at(60), false));
        }
    }

    @Test
    void planWipeSaysWhatWipeDoesAndChangesNothing() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            OverlayStrategy strategy = rig.strategy("/overlay");
            strategy.wipe(new WipeRequest(at(0), false));
            boot(rig, strategy, "used");
            Map<String, String> before = OverlayRig.upperManifest(rig.disk);
            WipeRequest request = new WipeRequest(at(1), true);
            List<String> plan = strategy.planWipe(request).sentences();
            assertThat(OverlayRig.upperManifest(rig.disk)).isEqualTo(before);
            assertThat(plan).hasSize(3);
            assertThat(strategy.wipe(request).sentences()).isEqualTo(plan);
        }
    }

    @Test
    void mountOptionsNeedAFirstWipe() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            assertThatThrownBy(() -> rig.strategy("/overlay").mountOptions()).isInstanceOf(RootException.class)
                    .hasMessageContaining("run lethe wipe once");
        }
    }

    // ------------------------------------------------------------------------------------ refusals

    /** check() and wipe() both refuse, naming the problem, and nothing under the root changes. */
    private static void assertRefused(OverlayRig rig, OverlayStrategy strategy, String problem) throws Exception {
        Map<String, String> before = everything(rig);
        assertThatThrownBy(strategy::check).isInstanceOf(RootException.class).hasMessageContaining(problem);
        assertThatThrownBy(() -> strategy.wipe(new WipeRequest(at(0), false))).isInstanceOf(RootException.class)
                .hasMessageContaining(problem);
        assertThatThrownBy(() -> strategy.planWipe(new WipeRequest(at(0), false))).isInstanceOf(RootException.class)
                .hasMessageContaining(problem);
        assertThat(everything(rig)).isEqualTo(before);
    }

    /** Every file below the managed root, the mounted upper filesystem and the tmpfs at /mnt included. */
    private static Map<String, String> everything(OverlayRig rig) throws IOException {
        Map<String, String> all = new HashMap<>(OverlayRig.upperManifest(rig.root));
        all.put("(lower)", Trees.manifest(rig.lowerRw).toString());
        return all;
    }

    @Test
    void anUpperOnTmpfsIsRefused() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            Sh.run("mount", "-t", "tmpfs", "ram", rig.at("/mnt").toString());
            Files.createDirectory(rig.at("/mnt/layers"));
            assertRefused(rig, rig.strategy("/mnt/layers"), "is on tmpfs");
        }
    }

    @Test
    void aMissingUpperIsRefusedAndNotCreated() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            assertRefused(rig, rig.strategy("/overlay/missing"), "does not exist");
            assertThat(rig.disk.resolve("missing")).doesNotExist();
        }
    }

    @Test
    void anUpperInsideAStoreOrContainingOneIsRefused() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            Files.createDirectories(rig.disk.resolve("layers"));
            assertRefused(rig, rig.strategy("/overlay/layers", "/persist", "/overlay"), "is inside the store /overlay");
            assertRefused(rig, rig.strategy("/overlay", "/overlay/layers"), "contains the store /overlay/layers");
            assertRefused(rig, rig.strategy("/overlay", "/overlay"), "is inside the store /overlay");
        }
    }

    @Test
    void anUpperOnTheLowerRootsOwnFilesystemIsRefused() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            assertRefused(rig, rig.strategy("/persist"), "same filesystem as the lower root");
        }
    }

    @Test
    void anUpperReachedThroughASymlinkIsRefused() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            assertRefused(rig, rig.strategy("/ovlink"), "symbolic link");
        }
    }

    @Test
    void aMissingLowerRootOrDeviceIsRefused() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            OverlayStrategy missingDevice = new OverlayStrategy(
                    OverlayRig.config("/overlay", Optional.of("/dev/disk/by-label/no-such-disk")), rig.context());
            assertRefused(rig, missingDevice, "device /dev/disk/by-label/no-such-disk does not exist");
            OverlayStrategy notADevice = new OverlayStrategy(
                    OverlayRig.config("/overlay", Optional.of(rig.scratch.resolve("lower.img").toString())), rig.context());
            assertRefused(rig, notADevice, "is not a block device");
            OverlayStrategy missingRoot = new OverlayStrategy(OverlayRig.config("/overlay"),
                    Contexts.of(rig.scratch.resolve("nowhere"), List.of(), rig.scratch));
            assertRefused(rig, missingRoot, "the lower root " + rig.scratch.resolve("nowhere"));
        }
    }

    @Test
    void aCurrentOrBootsThatLetheDidNotMakeIsRefused() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            Files.createDirectories(rig.disk.resolve("a/boots"));
            Files.createSymbolicLink(rig.disk.resolve("a/current"), Path.of("../../etc"));
            assertRefused(rig, rig.strategy("/overlay/a"), "which is not a boot directory lethe made");
            Files.createDirectories(rig.disk.resolve("b"));
            Files.writeString(rig.disk.resolve("b/boots"), "not a directory\n");
            assertRefused(rig, rig.strategy("/overlay/b"), "keeps its boot directories there");
            Files.createDirectories(rig.disk.resolve("c/current"));
            assertRefused(rig, rig.strategy("/overlay/c"), "is not a symlink");
        }
    }

    @Test
    void aCurrentNewThatLetheDidNotMakeIsRefusedBeforeTheWipeTouchesAnything() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            OverlayStrategy strategy = rig.strategy("/overlay");
            strategy.wipe(new WipeRequest(at(0), false));
            boot(rig, strategy, "used");
            Files.createDirectory(rig.disk.resolve(".current.new"));
            Map<String, String> before = everything(rig);
            for (var attempt : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                    () -> strategy.planWipe(new WipeRequest(at(1), false)),
                    () -> strategy.wipe(new WipeRequest(at(1), false)))) {
                assertThatThrownBy(attempt).isInstanceOf(RootException.class)
                        .hasMessageContaining(rig.disk.resolve(".current.new") + " is not a symbolic link");
            }
            assertThat(everything(rig)).isEqualTo(before);
            assertThat(rig.current("/overlay")).isEqualTo(id(at(0)));
        }
    }

    // ------------------------------------------------------------------------------- crash injection

    private record Run(int exit, String output) {}

    private static Run process(Map<String, String> environment, String... args) throws Exception {
        List<String> command = ChildJvm.command(OverlayMain.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("OverlayMain did not finish in 120 s");
        }
        return new Run(process.exitValue(), output);
    }

    private static Run wipeProcess(OverlayRig rig, String upper, Instant now, boolean degraded, long crashAt)
            throws Exception {
        Map<String, String> environment = crashAt > 0 ? Map.of("LETHE_TEST_CRASH_AT", Long.toString(crashAt)) : Map.of();
        return process(environment, "wipe", rig.root.toString(), upper, Long.toString(now.getEpochSecond()),
                Boolean.toString(degraded));
    }

    /** The upper of every boot directory, by name: what "no archive lost" compares. */
    private static Map<String, Map<String, String>> uppers(OverlayRig rig, String upper) throws IOException {
        Map<String, Map<String, String>> uppers = new TreeMap<>();
        for (String boot : rig.boots(upper)) {
            Path files = rig.at(upper).resolve("boots").resolve(boot).resolve("upper");
            uppers.put(boot, Files.isDirectory(files) ? OverlayRig.upperManifest(files) : Map.of());
        }
        return uppers;
    }

    /** The steps a wipe process reported doing, as sentences. */
    private static List<String> done(Run run) {
        return run.output().lines().filter(line -> line.startsWith("done ")).map(line -> line.substring(5)).toList();
    }

    /** The crashes left each kind of leftover a re-plan must finish: a half-made boot directory, a stale .current.new. */
    private static void assertResumedEveryKindOfLeftover(List<String> resumed) {
        assertThat(resumed).anyMatch(step -> step.startsWith("complete boot directory"))
                .anyMatch(step -> step.startsWith("remove ") && step.contains("/.current.new"))
                .anyMatch(step -> step.startsWith("keep boot directory"));
    }

    @Test
    void theFirstWipeSurvivesSigkillAtEveryStep() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            Map<String, String> lower = Trees.manifest(rig.lowerRw);
            List<String> resumed = new ArrayList<>();
            int crashes = 0;
            for (int point = 1; ; point++) {
                String upper = "/overlay/first" + point;
                Files.createDirectory(rig.at(upper));
                Run crashed = wipeProcess(rig, upper, at(point), false, point);
                assertThat(rig.boots(upper)).as("after a crash at step %d", point).hasSizeLessThanOrEqualTo(1);
                List<String> planned = rig.strategy(upper).planWipe(new WipeRequest(at(point + 1), false)).sentences();
                resumed.addAll(planned);
                Run rerun = wipeProcess(rig, upper, at(point + 1), false, 0);
                assertThat(rerun.exit()).as(rerun.output()).isZero();
                assertThat(done(rerun)).as("the re-run performs what a dry run printed").isEqualTo(planned);
                assertThat(rig.boots(upper)).as("one boot directory after a crash at step %d", point).hasSize(1);
                assertThat(rig.current(upper)).isEqualTo(rig.boots(upper).getFirst());
                OverlayStrategy strategy = rig.strategy(upper);
                assertThat(strategy.archives()).isEmpty();
                rig.mount(strategy);
                try {
                    assertThat(Trees.manifest(rig.sysroot)).isEqualTo(lower);
                } finally {
                    rig.unmount();
                }
                if (crashed.exit() == 0) {
                    break;  // the crash point lies past the last step: this run completed the wipe itself
                }
                assertThat(crashed.exit()).as("killed at step %d: %s", point, crashed.output()).isEqualTo(137);
                crashes++;
            }
            assertThat(crashes).as("steps of the first wipe").isGreaterThanOrEqualTo(7);
            assertResumedEveryKindOfLeftover(resumed);
        }
    }

    @Test
    void laterWipesSurviveSigkillAtEveryStep() throws Exception {
        crashEveryStep(false, 7);
    }

    @Test
    void degradedWipesSurviveSigkillAtEveryStep() throws Exception {
        crashEveryStep(true, 9);
    }

    /**
     * One boot after another on one upper; each wipe is killed at step N (N = 1, 2, ...) and re-run with a
     * later clock, until a run completes without being killed. After each crash and after each re-run: every
     * boot directory that was there is there with the same upper, at most (after the re-run: exactly) one
     * new one was added, current is usable (mountable, showing the pristine lower) and the previous one is
     * listed as an archive, degraded if asked.
     */
    private void crashEveryStep(boolean degraded, int minimumCrashes) throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            String upper = "/overlay/boots-" + degraded;
            Files.createDirectory(rig.at(upper));
            OverlayStrategy strategy = rig.strategy(upper);
            strategy.wipe(new WipeRequest(at(0), false));
            Map<String, String> lower = Trees.manifest(rig.lowerRw);
            List<String> resumed = new ArrayList<>();
            int crashes = 0;
            for (int point = 1; ; point++) {
                boot(rig, strategy, "boot" + point);
                String previous = rig.current(upper);
                Map<String, Map<String, String>> before = uppers(rig, upper);

                Run crashed = wipeProcess(rig, upper, at(10 * point), degraded, point);
                Map<String, Map<String, String>> afterCrash = uppers(rig, upper);
                assertThat(afterCrash).as("after a crash at step %d", point).containsAllEntriesOf(before);
                assertThat(afterCrash.size() - before.size()).isBetween(0, 1);
                assertThat(rig.current(upper)).isIn(rig.boots(upper));

                List<String> planned = strategy.planWipe(new WipeRequest(at(10 * point + 1), degraded)).sentences();
                resumed.addAll(planned);
                Run rerun = wipeProcess(rig, upper, at(10 * point + 1), degraded, 0);
                assertThat(rerun.exit()).as(rerun.output()).isZero();
                assertThat(done(rerun)).as("the re-run performs what a dry run printed").isEqualTo(planned);
                Map<String, Map<String, String>> after = uppers(rig, upper);
                assertThat(after).as("no archive lost after a crash at step %d", point).containsAllEntriesOf(before);
                assertThat(after).as("exactly one new boot directory").hasSize(before.size() + 1);
                String current = rig.current(upper);
                assertThat(before).doesNotContainKey(current);
                assertThat(after.get(current)).as("a fresh upper").isEqualTo(Map.of("", "dir"));
                assertThat(strategy.archives().getFirst()).isEqualTo(
                        new ArchiveRef(previous, BootName.parse(previous).orElseThrow().created(), degraded));
                assertThat(strategy.archives()).hasSize(before.size());
                rig.mount(strategy);
                try {
                    assertThat(Trees.manifest(rig.sysroot)).isEqualTo(lower);
                } finally {
                    rig.unmount();
                }
                if (crashed.exit() == 0) {
                    break;
                }
                assertThat(crashed.exit()).as("killed at step %d: %s", point, crashed.output()).isEqualTo(137);
                crashes++;
            }
            assertThat(crashes).as("steps of a wipe").isGreaterThanOrEqualTo(minimumCrashes);
            assertResumedEveryKindOfLeftover(resumed);
        }
    }

    @Test
    void destroySurvivesSigkillAtEveryStep() throws Exception {
        try (OverlayRig rig = new OverlayRig()) {
            String upper = "/overlay";
            OverlayStrategy strategy = rig.strategy(upper);
            int crashes = 0;
            int minute = 0;
            for (int point = 1; ; point++) {
                // Two archives: the older one is destroyed, the newer must stay whole.
                while (strategy.archives().size() < 2) {
                    strategy.wipe(new WipeRequest(at(minute++), false));
                    rig.mount(strategy);
                    for (int i = 0; i < 5; i++) {
                        OverlayRig.write(rig.sysroot.resolve("var/d" + i + "/f"), "boot " + minute + "\n");
                    }
                    rig.unmount();
                    strategy.wipe(new WipeRequest(at(minute++), false));
                }
                List<ArchiveRef> archives = strategy.archives();
                ArchiveRef doomed = archives.getLast();
                ArchiveRef kept = archives.getFirst();
                Map<String, String> keptFiles = strategy.read(kept, OverlayRig::upperManifest);
                String current = rig.current(upper);

                Run crashed = process(Map.of("LETHE_TEST_CRASH_AT", Integer.toString(point)),
                        "destroy", rig.root.toString(), upper, doomed.id());
                List<ArchiveRef> afterCrash = strategy.archives();
                assertThat(afterCrash).as("the doomed archive is listed whole or not at all").contains(kept)
                        .isSubsetOf(archives);
                assertThat(strategy.read(kept, OverlayRig::upperManifest)).isEqualTo(keptFiles);
                assertThat(rig.current(upper)).isEqualTo(current);
                if (afterCrash.contains(doomed)) {
                    assertThat(strategy.read(doomed, OverlayRig::upperManifest)).containsKey("var/d4/f");
                    strategy.destroy(doomed);
                }
                assertThat(strategy.archives()).containsExactly(kept);
                if (crashed.exit() == 0) {
                    break;
                }
                assertThat(crashed.exit()).as("killed at step %d: %s", point, crashed.output()).isEqualTo(137);
                crashes++;
            }
            // The next destroy finishes what a killed one left as .destroying-<id>.
            strategy.wipe(new WipeRequest(at(minute++), false));
            boot(rig, strategy, "last");
            strategy.wipe(new WipeRequest(at(minute), false));
            strategy.destroy(strategy.archives().getLast());
            assertThat(rig.boots(upper)).noneMatch(name -> name.startsWith(".destroying-"));
            assertThat(crashes).as("steps of a destroy").isGreaterThanOrEqualTo(10);
        }
    }
}
