package dev.lethe.root.overlay;

import dev.lethe.testing.ChildJvm;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.boot.InitrdScript;
import dev.lethe.config.Config;
import dev.lethe.config.ConfigLoader;
import dev.lethe.diff.Change;
import dev.lethe.diff.Filter;
import dev.lethe.root.RootStrategy.WipeRequest;
import dev.lethe.testing.Contexts;
import dev.lethe.testing.Namespaces;
import dev.lethe.testing.Sh;
import dev.lethe.testing.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The overlay and tmpfs initrd stage as install renders it (POSIX sh, no JVM), booted again and again
 * on ext4 loop devices: the real root mounted read-only where the initramfs mounts it, the upper's
 * filesystem found in that root's fstab. The script wipes exactly as the Java {@link OverlayStrategy}
 * does (Java lists, reads and destroys what it made; each finishes the other's interrupted wipe),
 * killed before any step and booted again it converges with no archive lost, and it leaves the lower
 * where the Java side finds it on the running system. Needs root in a private mount namespace (./test).
 */
class InitrdOverlayTest {

    private static final String UPPER = "/state/overlay";

    private record Run(int exit, String output) {}

    /**
     * Two ext4 disks: the real root (with an fstab mounting the second at /state) and the state disk
     * holding the upper directory. {@link #sysroot} is where the initramfs mounts the real root and the
     * script mounts the overlay; {@link #run} is the initrd's /run, moved under the new root after the
     * script as initramfs-tools' init does.
     */
    private static final class Machine implements AutoCloseable {
        final Path scratch;
        final Path sysroot;
        final Path run;
        final Path javaRoot;
        final String rootDevice;
        final String stateDevice;
        final Path script;

        Machine(String strategy) throws Exception {
            this(strategy, "", "");
        }

        /** With {@code stores} appended to the config and {@code fstab} lines before the state partition's. */
        Machine(String strategy, String stores, String fstab) throws Exception {
            Namespaces.assumeMountable();
            scratch = Files.createTempDirectory("lethe-initrd-overlay");
            Sh.run("mount", "-t", "tmpfs", "-o", "size=400m", "lethe-initrd-overlay-test", scratch.toString());
            sysroot = Files.createDirectories(scratch.resolve("sysroot"));
            run = Files.createDirectories(scratch.resolve("run"));
            javaRoot = Files.createDirectories(scratch.resolve("java-root"));
            rootDevice = loopDevice("root.img", "64M");
            stateDevice = loopDevice("state.img", "64M");
            Path fill = Files.createDirectories(scratch.resolve("fill"));
            Sh.run("mount", stateDevice, fill.toString());
            Files.createDirectories(fill.resolve("overlay"));
            Sh.run("umount", fill.toString());
            Sh.run("mount", rootDevice, fill.toString());
            for (String dir : List.of("state", "run", "persist", "etc/lethe", "etc/dirA")) {
                Files.createDirectories(fill.resolve(dir));
            }
            Files.writeString(fill.resolve("etc/hostname"), "pristine\n");
            Files.writeString(fill.resolve("etc/dirA/x"), "x\n");
            Files.writeString(fill.resolve("etc/machine-id"), "");  // systemd's first-boot semantics
            Files.writeString(fill.resolve("etc/fstab"), "# the test machine\n" + fstab + stateDevice
                    + "  /state  ext4  defaults,nofail  0 2"); // no newline at the end: still read
            Path config = fill.resolve("etc/lethe/lethe.toml");
            Files.writeString(config, (strategy.equals("overlay")
                    ? "[root]\nstrategy = \"overlay\"\nupper = \"" + UPPER + "\"\n"
                    : "[root]\nstrategy = \"tmpfs\"\n") + stores);
            Config loaded = ConfigLoader.load(config, fill);
            script = scratch.resolve("lethe-initrd");
            Files.writeString(script, InitrdScript.render(loaded));
            Sh.run("umount", fill.toString());
        }

        private String loopDevice(String image, String size) {
            Path file = scratch.resolve(image);
            Sh.run("truncate", "-s", size, file.toString());
            Sh.run("mkfs.ext4", "-q", "-F", file.toString());
            return Sh.run("losetup", "-f", "--show", file.toString()).strip();
        }

        /** The initramfs's part: the real root read-only at sysroot, an empty /run. */
        void mountRealRoot() {
            Sh.run("mount", "-o", "ro", rootDevice, sysroot.toString());
            Sh.run("mount", "-t", "tmpfs", "-o", "mode=0755", "initrd-run", run.toString());
        }

        /** The script's part, as local-bottom runs it; then init moves /run under the new root. */
        Run boot(Map<String, String> environment) throws Exception {
            mountRealRoot();
            Run result = script(environment, "mount", sysroot.toString());
            if (result.exit() != 137) {
                Sh.run("mount", "--move", run.toString(), sysroot.resolve("run").toString());
            }
            return result;
        }

        Run boot() throws Exception {
            Run result = boot(Map.of());
            assertThat(result.exit()).as(result.output()).isZero();
            return result;
        }

        Run script(Map<String, String> environment, String... args) throws Exception {
            List<String> command = new ArrayList<>(List.of("sh", script.toString()));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("LETHE_RUN", run.resolve("lethe").toString());
            builder.environment().put("LETHE_TEST_STDERR", "1");  // not into the host's kernel log
            builder.environment().putAll(environment);
            Process process = builder.start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the initrd script did not finish in 60 s: " + output);
            }
            return new Run(process.exitValue(), output);
        }

        /** Power off: every mount of the boot gone, whatever state the boot left them in. */
        void powerOff() {
            Sh.tryRun("umount", "-R", sysroot.toString());
            Sh.tryRun("umount", "-R", run.toString());
            Sh.tryRun("umount", "-R", javaRoot.toString());
            assertThat(Sh.run("findmnt", "-rn", "-o", "TARGET").lines()
                    .filter(t -> t.startsWith(scratch + "/")).toList()).as("nothing of the boot stays mounted").isEmpty();
        }

        /** The Java strategy on the running system: the overlay at sysroot, the lower kept under its /run. */
        OverlayStrategy running() throws IOException {
            return new OverlayStrategy(OverlayRig.config(UPPER), Contexts.of(sysroot, List.of(),
                    Files.createDirectories(scratch.resolve("context"))));
        }

        /** The real root with its fstab's /state mounted, as a rescue system (or Java on the lower) sees it. */
        OverlayStrategy offline() throws IOException {
            Sh.run("mount", "-o", "ro", rootDevice, javaRoot.toString());
            Sh.run("mount", stateDevice, javaRoot.resolve("state").toString());
            return new OverlayStrategy(OverlayRig.config(UPPER), Contexts.of(javaRoot, List.of(),
                    Files.createDirectories(scratch.resolve("context"))));
        }

        Path upper() {
            return javaRoot.resolve("state/overlay");
        }

        /** Boot directory name → the manifest of its upper, read offline: what "no archive lost" compares. */
        Map<String, Map<String, String>> uppers() throws IOException {
            Map<String, Map<String, String>> uppers = new TreeMap<>();
            Path boots = upper().resolve("boots");
            if (Files.isDirectory(boots)) {
                try (var list = Files.list(boots)) {
                    for (Path boot : list.sorted().toList()) {
                        Path files = boot.resolve("upper");
                        uppers.put(boot.getFileName().toString(),
                                Files.isDirectory(files) ? OverlayRig.upperManifest(files) : Map.of());
                    }
                }
            }
            return uppers;
        }

        String current() throws IOException {
            Path link = upper().resolve("current");
            return Files.isSymbolicLink(link) ? Files.readSymbolicLink(link).getFileName().toString() : null;
        }

        boolean isOverlay() {
            return Sh.run("findmnt", "-n", "-o", "FSTYPE", "--mountpoint", sysroot.toString()).lines()
                    .reduce((a, b) -> b).orElse("").strip().equals("overlay");
        }

        @Override
        public void close() {
            powerOff();
            Sh.tryRun("losetup", "-d", rootDevice);
            Sh.tryRun("losetup", "-d", stateDevice);
            Sh.tryRun("umount", "-R", scratch.toString());
            try {
                Files.deleteIfExists(scratch);
            } catch (IOException ignored) {
                // a leftover empty directory in /tmp
            }
        }
    }

    /** A boot's life on the running system: it writes a file, and activation leaves its mark unless told not to. */
    private static void live(Machine machine, String file, boolean activated) throws IOException {
        Files.writeString(machine.sysroot.resolve(file), file + "\n");
        if (activated) {
            Files.writeString(machine.sysroot.resolve(".lethe-activated"), "activation finished\n");
        }
    }

    @Test
    void eachBootGetsAFreshOverlayAndJavaListsReadsAndDestroysWhatTheScriptMade() throws Exception {
        try (Machine machine = new Machine("overlay")) {
            Run first = machine.boot();
            assertThat(first.output()).contains("the first boot directory").doesNotContain("DEGRADED");
            assertThat(machine.isOverlay()).isTrue();
            assertThat(Files.readString(machine.sysroot.resolve("etc/hostname"))).isEqualTo("pristine\n");
            OverlayStrategy running = machine.running();
            assertThat(running.lower()).as("the lower, where the script left it").isEqualTo(
                    machine.sysroot.resolve("run/lethe/lower"));
            live(machine, "etc/stray", true);
            assertThat(running.diff(machine.sysroot, Filter.none()).orElseThrow()).extracting(c -> c.path().value())
                    .as("the running boot's diff, against the lower").contains("/etc/stray");
            assertThat(running.diff(machine.sysroot, Filter.none()).orElseThrow()).filteredOn(c -> c.path().value()
                    .equals("/etc/stray")).extracting(Change::kind).containsExactly(Change.Kind.ADDED);
            assertThat(machine.sysroot.resolve("run/lethe/lower/etc/stray")).as("the real root is unchanged").doesNotExist();
            String firstBoot = Files.readSymbolicLink(machine.sysroot.resolve("state/overlay/current")).getFileName().toString();
            machine.powerOff();

            Run second = machine.boot();
            assertThat(second.output()).contains("becomes an archive").doesNotContain("DEGRADED");
            assertThat(machine.sysroot.resolve("etc/stray")).as("forgotten").doesNotExist();
            running = machine.running();
            List<ArchiveRef> archives = running.archives();
            assertThat(archives).extracting(ArchiveRef::id).containsExactly(firstBoot);
            assertThat(archives.getFirst().degraded()).isFalse();
            assertThat(running.<String>read(archives.getFirst(), upper -> Files.readString(upper.resolve("etc/stray"))))
                    .isEqualTo("etc/stray\n");
            assertThat(running.diffArchive(archives.getFirst(), Filter.none())).extracting(c -> c.path().value())
                    .contains("/etc/stray");
            running.destroy(archives.getFirst());
            assertThat(running.archives()).isEmpty();
        }
    }

    @Test
    void aBootWithoutTheActivationMarkInItsUpperIsArchivedDegraded() throws Exception {
        try (Machine machine = new Machine("overlay")) {
            machine.boot();
            live(machine, "etc/degraded-boot", false);
            machine.powerOff();
            Run next = machine.boot();
            assertThat(next.output()).contains("WARNING", "DEGRADED");
            List<ArchiveRef> archives = machine.running().archives();
            assertThat(archives).singleElement().satisfies(a -> assertThat(a.degraded()).isTrue());
            live(machine, "etc/good-boot", true);
            machine.powerOff();
            machine.boot();
            assertThat(machine.running().archives()).extracting(ArchiveRef::degraded).containsExactly(false, true);
        }
    }

    @Test
    void aBootWhoseOverlayWasNeverUsedMakesNoEmptyArchive() throws Exception {
        try (Machine machine = new Machine("overlay")) {
            machine.boot();
            machine.powerOff();
            // The overlay mounted, nothing written: overlayfs still made work/work, so that boot is archived...
            machine.boot();
            assertThat(machine.running().archives()).hasSize(1);
            machine.powerOff();
            // ...but a boot directory never mounted (the wipe done, the overlay not) is used as it is.
            machine.mountRealRoot();
            Run wipeOnly = machine.script(Map.of("LETHE_TEST_CRASH_AT", "5"), "mount", machine.sysroot.toString());
            assertThat(wipeOnly.exit()).as(wipeOnly.output()).isEqualTo(137);
            machine.powerOff();
            Run after = machine.boot();
            assertThat(after.output()).contains("nothing to archive");
            assertThat(machine.running().archives()).hasSize(2);
        }
    }

    /**
     * One boot after another; the script is killed before its N-th step (N = 1, 2, ...), then the machine
     * boots again: every boot directory that was there is there with the same upper, exactly one new one
     * was added, the previous one is listed as an archive (degraded when its boot left no mark), and the
     * root is an overlay showing the pristine lower.
     */
    private static void crashEveryStep(boolean degraded) throws Exception {
        try (Machine machine = new Machine("overlay")) {
            machine.boot();
            int crashes = 0;
            for (int point = 1; ; point++) {
                live(machine, "etc/boot" + point, !degraded);
                machine.powerOff();
                machine.offline();
                Map<String, Map<String, String>> before = machine.uppers();
                String previous = machine.current();
                Sh.run("umount", "-R", machine.javaRoot.toString());

                Run crashed = machine.boot(Map.of("LETHE_TEST_CRASH_AT", Integer.toString(point)));
                // Killed once the overlay was mounted, that boot used its directory (overlayfs made work/work):
                // the next wipe archives it (degraded: no activation), as the Java wipe would.
                boolean used = crashed.output().contains("mount the overlay at");
                machine.powerOff();
                Run rerun = machine.boot();
                assertThat(machine.isOverlay()).as(rerun.output()).isTrue();
                assertThat(machine.sysroot.resolve("etc/boot" + point)).doesNotExist();
                assertThat(Files.readString(machine.sysroot.resolve("etc/hostname"))).isEqualTo("pristine\n");
                List<ArchiveRef> archives = machine.running().archives();
                assertThat(archives.get(used ? 1 : 0)).isEqualTo(new ArchiveRef(previous,
                        BootName.parse(previous).orElseThrow().created(), degraded));
                if (used) {
                    assertThat(archives.getFirst().degraded()).as("the killed boot's directory").isTrue();
                }
                machine.powerOff();
                machine.offline();
                Map<String, Map<String, String>> after = machine.uppers();
                assertThat(after).as("no archive lost after a crash at step %d", point).containsAllEntriesOf(before);
                assertThat(after).as("one new boot directory (two if the killed boot mounted its own) after a crash "
                        + "at step %d", point).hasSize(before.size() + (used ? 2 : 1));
                assertThat(before).doesNotContainKey(machine.current());
                Sh.run("umount", "-R", machine.javaRoot.toString());
                machine.boot();  // the next round's boot, whose life the loop writes
                if (crashed.exit() == 0) {
                    break;  // the crash point lies past the last step
                }
                assertThat(crashed.exit()).as("killed at step %d: %s", point, crashed.output()).isEqualTo(137);
                assertThat(crashed.output()).doesNotContain("FAILED");
                crashes++;
            }
            // mount the upper's filesystem, (mark degraded), make the boot directory, switch current, move the
            // real root, mount the overlay, bind the upper's filesystem (boots/ exists after the first boot, and
            // the initramfs mounted the real root read-only)
            assertThat(crashes).as("steps of a boot").isGreaterThanOrEqualTo(degraded ? 7 : 6);
        }
    }

    @Test
    void aBootKilledBeforeAnyStepBootsAgainWithNoArchiveLost() throws Exception {
        crashEveryStep(false);
    }

    @Test
    void aDegradedBootKilledBeforeAnyStepBootsAgainWithNoArchiveLost() throws Exception {
        crashEveryStep(true);
    }

    /** A wipe in Java killed before its N-th step (OverlayMain, in its own process) is finished by the next boot's script. */
    @Test
    void theScriptFinishesAJavaWipeKilledAtAnyStep() throws Exception {
        try (Machine machine = new Machine("overlay")) {
            machine.boot();
            int crashes = 0;
            for (int point = 1; ; point++) {
                live(machine, "etc/boot" + point, true);
                machine.powerOff();
                machine.offline();
                Map<String, Map<String, String>> before = machine.uppers();
                Run crashed = javaWipe(machine, Instant.now().plusSeconds(10L * point), point);
                Sh.run("umount", "-R", machine.javaRoot.toString());
                Run boot = machine.boot();
                assertThat(boot.output()).doesNotContain("FAILED");
                assertThat(machine.running().archives()).hasSize(before.size());
                machine.powerOff();
                machine.offline();
                Map<String, Map<String, String>> after = machine.uppers();
                assertThat(after).as("no archive lost after a Java crash at step %d", point).containsAllEntriesOf(before);
                assertThat(after).as("one new boot directory after a Java crash at step %d", point).hasSize(before.size() + 1);
                Sh.run("umount", "-R", machine.javaRoot.toString());
                machine.boot();
                if (crashed.exit() == 0) {
                    break;
                }
                assertThat(crashed.exit()).as("killed at step %d: %s", point, crashed.output()).isEqualTo(137);
                crashes++;
            }
            assertThat(crashes).as("steps of a Java wipe").isGreaterThanOrEqualTo(5);
        }
    }

    /** The script killed before its N-th step, then the Java wipe (on the real root, offline) finishes it. */
    @Test
    void javaFinishesAScriptWipeKilledAtAnyStep() throws Exception {
        try (Machine machine = new Machine("overlay")) {
            machine.boot();
            for (int point = 1; point <= 5; point++) {  // the wipe's steps; the later ones mount
                live(machine, "etc/boot" + point, true);
                machine.powerOff();
                machine.offline();
                Map<String, Map<String, String>> before = machine.uppers();
                Sh.run("umount", "-R", machine.javaRoot.toString());
                Run crashed = machine.boot(Map.of("LETHE_TEST_CRASH_AT", Integer.toString(point)));
                assertThat(crashed.exit()).as("killed at step %d: %s", point, crashed.output()).isEqualTo(137);
                machine.powerOff();
                OverlayStrategy offline = machine.offline();
                offline.wipe(new WipeRequest(Instant.now().plusSeconds(3600L * point), false));
                Map<String, Map<String, String>> after = machine.uppers();
                assertThat(after).as("no archive lost after a script crash at step %d", point).containsAllEntriesOf(before);
                assertThat(after).as("one new boot directory after a script crash at step %d", point)
                        .hasSize(before.size() + 1);
                assertThat(after.get(machine.current())).as("a fresh upper").isEqualTo(Map.of("", "dir"));
                assertThat(offline.archives()).hasSize(before.size());
                Sh.run("umount", "-R", machine.javaRoot.toString());
                Run boot = machine.boot();
                assertThat(boot.output()).contains("nothing to archive");
            }
        }
    }

    private static Run javaWipe(Machine machine, Instant now, int crashAt) throws Exception {
        List<String> command = ChildJvm.command(OverlayMain.class.getName());
        command.addAll(List.of("wipe", machine.javaRoot.toString(), UPPER, Long.toString(now.getEpochSecond()), "false"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("LETHE_TEST_CRASH_AT", Integer.toString(crashAt));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("OverlayMain did not finish in 120 s");
        }
        return new Run(process.exitValue(), output);
    }

    @Test
    void aMissingUpperBootsTheRealRootAndSaysSo() throws Exception {
        try (Machine machine = new Machine("overlay")) {
            Path fill = Files.createDirectories(machine.scratch.resolve("fill"));
            Sh.run("mount", machine.stateDevice, fill.toString());
            Sh.run("rmdir", fill.resolve("overlay").toString());
            Sh.run("umount", fill.toString());
            Run boot = machine.boot(Map.of());
            assertThat(boot.exit()).isEqualTo(1);
            assertThat(boot.output()).contains("FAILED", UPPER + " is not a directory");
            assertThat(machine.isOverlay()).as("the real root stays, bootable").isFalse();
            assertThat(Files.readString(machine.sysroot.resolve("etc/hostname"))).isEqualTo("pristine\n");
            assertThat(Sh.run("findmnt", "-rn", "-o", "TARGET").lines().filter(t -> t.contains("upper-fs")).toList())
                    .as("the upper's filesystem is unmounted again").isEmpty();
        }
    }

    /**
     * With the upper in RAM nothing mounts the state partition before the switch, yet the store binds a
     * directory of it: the entries stage mounts it as the fstab says, so the stored machine-id is in
     * place before systemd's first look (else systemd makes a new id at every boot, and apply then
     * finds two different ids and refuses).
     */
    @Test
    void tmpfsInitrdEntriesMountTheStatePartitionTheStoreBinds() throws Exception {
        String id = "0123456789abcdef0123456789abcdef\n";
        try (Machine machine = new Machine("tmpfs",
                "[[store]]\npath = \"/persist\"\nfiles = [{ path = \"/etc/machine-id\", stage = \"initrd\" }]\n",
                "/state/persist  /persist  none  bind,x-systemd.requires-mounts-for=/state  0 0\n")) {
            machine.offline();
            Path stored = Files.createDirectories(machine.javaRoot.resolve("state/persist/etc")).resolve("machine-id");
            Files.writeString(stored, id);
            Sh.run("umount", "-R", machine.javaRoot.toString());

            machine.boot();
            Run entries = machine.script(Map.of(), "entries", machine.sysroot.toString());

            assertThat(entries.exit()).as(entries.output()).isZero();
            assertThat(Files.readString(machine.sysroot.resolve("etc/machine-id"))).isEqualTo(id);
            assertThat(entries.output()).contains("mount /state").contains("bind /persist/etc/machine-id on /etc/machine-id");
        }
    }

    @Test
    void tmpfsForgetsEverythingAtPowerOffAndKeepsTheRealRootUnchanged() throws Exception {
        try (Machine machine = new Machine("tmpfs")) {
            Map<String, String> pristine;
            machine.offline();
            pristine = Trees.manifest(machine.javaRoot);
            Sh.run("umount", "-R", machine.javaRoot.toString());
            Run boot = machine.boot();
            assertThat(boot.output()).contains("upper in RAM");
            assertThat(machine.isOverlay()).isTrue();
            live(machine, "etc/stray", true);
            Sh.run("rm", machine.sysroot.resolve("etc/dirA/x").toString());
            machine.powerOff();
            machine.boot();
            assertThat(machine.sysroot.resolve("etc/stray")).doesNotExist();
            assertThat(machine.sysroot.resolve("etc/dirA/x")).exists();
            machine.powerOff();
            machine.offline();
            assertThat(Trees.manifest(machine.javaRoot)).as("the real root").isEqualTo(pristine);
        }
    }
}
