package dev.lethe.root.btrfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.boot.InitrdScript;
import dev.lethe.config.ConfigLoader;
import dev.lethe.testing.Sh;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The initrd-stage entries as the rendered script puts them in place: the new root mounted
 * read-only as the initrd leaves it, the store mounted from the root's fstab line (x-systemd
 * options dropped), /etc/machine-id bound from the store so that systemd's first write lands in the
 * store, and nothing hidden or overwritten when both sides hold different data. Real btrfs, real
 * mounts; needs root in a private mount namespace (./test).
 */
class InitrdEntriesTest {

    private record Run(int exit, String output) {}

    private static Path boot(BtrfsDisk disk, String rootId) throws Exception {
        Path root = disk.hostRoot;
        Sh.run("mount", "-o", "ro,subvol=@root", disk.device, root.toString());
        return root;
    }

    private static void prepare(BtrfsDisk disk, String machineIdOnRoot) throws Exception {
        disk.standardLayout();
        Files.writeString(disk.at("@root/etc/fstab"), "# comment\n" + disk.device
                + " /persist btrfs subvol=@persist,x-systemd.device-timeout=5s,nofail 0 0"); // no newline at the end: still read
        Files.writeString(disk.at("@root/etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
        Files.writeString(disk.at("@root/etc/group"), "root:x:0:\n");
        Files.writeString(disk.at("@root/etc/machine-id"), machineIdOnRoot);
        Files.createDirectories(disk.at("@root/etc/lethe"));
        Files.writeString(disk.at("@root/etc/lethe/lethe.toml"), """
                [[store]]
                path = "/persist"
                files = [{ path = "/etc/machine-id", stage = "initrd", mode = "0444" }]
                directories = [{ path = "/var/lib/early", stage = "initrd" }]
                """);
        Files.createDirectories(disk.at("@root/var/lib/early"));
        Files.writeString(disk.scratch.resolve("lethe-initrd"),
                InitrdScript.render(ConfigLoader.load(disk.at("@root/etc/lethe/lethe.toml"), disk.at("@root"))));
    }

    private static Run entries(BtrfsDisk disk, Path root) throws Exception {
        return entries(disk, root, java.util.Map.of());
    }

    private static Run entries(BtrfsDisk disk, Path root, java.util.Map<String, String> environment) throws Exception {
        return entries(disk, root, environment, line -> { });
    }

    /** A line of the script's output, as it comes. */
    private interface LineWatcher {
        void seen(String line) throws Exception;
    }

    private static Run entries(BtrfsDisk disk, Path root, java.util.Map<String, String> environment, LineWatcher watcher)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sh", disk.scratch.resolve("lethe-initrd").toString(), "entries",
                root.toString()).redirectErrorStream(true);
        builder.environment().put("LETHE_TEST_STDERR", "1");  // not into the host's kernel log
        builder.environment().put("LETHE_RUN", disk.scratch.resolve("run-lethe").toString());  // nor its /run
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        StringBuilder output = new StringBuilder();
        try (java.io.BufferedReader lines = process.inputReader(StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                output.append(line).append('\n');
                watcher.seen(line);
            }
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output.toString());
    }

    private static boolean mounted(Path path) throws Exception {
        return BtrfsDisk.mountsBelow(path.getParent()).contains(path.toString());
    }

    @Test
    void theFirstBootBindsAnEmptyStoreFileSoThatTheGeneratedIdLandsInTheStore() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            prepare(disk, "");
            Path root = boot(disk, "@root");
            Run run = entries(disk, root);
            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(mounted(root.resolve("persist"))).as("the store, mounted from the root's fstab").isTrue();
            assertThat(mounted(root.resolve("etc/machine-id"))).as(run.output()).isTrue();
            assertThat(disk.at("@persist/etc/machine-id")).exists().isEmptyFile();
            assertThat(Files.getPosixFilePermissions(disk.at("@persist/etc/machine-id")))
                    .containsExactlyInAnyOrderElementsOf(java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));
            // What systemd does at its first boot: writes the id through the read-only root's bind.
            Files.writeString(root.resolve("etc/machine-id"), "0123456789abcdef0123456789abcdef\n");
            assertThat(disk.at("@persist/etc/machine-id")).hasContent("0123456789abcdef0123456789abcdef");
            assertThat(disk.at("@root/etc/machine-id")).as("the root's own file is untouched").isEmptyFile();
            assertThat(mounted(root.resolve("var/lib/early"))).isTrue();
            assertThat(disk.at("@persist/var/lib/early")).isDirectory();

            Run again = entries(disk, root);
            assertThat(again.exit()).isZero();
            assertThat(BtrfsDisk.mountsBelow(root).stream().filter(m -> m.endsWith("/etc/machine-id")))
                    .as("a second run binds nothing twice").hasSize(1);
        }
    }

    @Test
    void laterBootsBindTheStoredIdOverTheBlanksEmptyFile() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            prepare(disk, "");
            Files.createDirectories(disk.at("@persist/etc"));
            Files.writeString(disk.at("@persist/etc/machine-id"), "feedfacefeedfacefeedfacefeedface\n");
            Path root = boot(disk, "@root");
            Run run = entries(disk, root);
            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(root.resolve("etc/machine-id")).hasContent("feedfacefeedfacefeedfacefeedface");
        }
    }

    @Test
    void differentDataOnBothSidesIsNeitherHiddenNorOverwritten() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            prepare(disk, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
            Files.createDirectories(disk.at("@persist/etc"));
            Files.writeString(disk.at("@persist/etc/machine-id"), "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n");
            Files.writeString(disk.at("@root/var/lib/early/state"), "on the root\n");
            Path root = boot(disk, "@root");
            Run run = entries(disk, root);
            assertThat(run.exit()).isZero();
            assertThat(run.output()).contains("both /etc/machine-id and /persist/etc/machine-id hold data",
                    "/var/lib/early holds data on the new root");
            assertThat(mounted(root.resolve("etc/machine-id"))).isFalse();
            assertThat(mounted(root.resolve("var/lib/early"))).isFalse();
            assertThat(root.resolve("etc/machine-id")).hasContent("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
            assertThat(disk.at("@persist/etc/machine-id")).hasContent("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
        }
    }

    /**
     * The store's disk is announced after the initrd reached lethe (a second disk, a slow controller):
     * the entries stage waits for its node, then mounts it; a disk that never comes is given up on
     * after the wait, and its entries are left to apply.
     */
    @Test
    void aStoreDeviceThatAppearsLateIsWaitedFor() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            prepare(disk, "");
            Path late = disk.scratch.resolve("late-disk");
            Files.writeString(disk.at("@root/etc/fstab"), late + " /persist btrfs subvol=@persist 0 0\n");
            Path root = boot(disk, "@root");
            // The disk is announced once the script says it waits, never before: on a loaded
            // machine a fixed delay could let the script start after the disk was there.
            Run run = entries(disk, root, java.util.Map.of("LETHE_DEVICE_WAIT", "30"), line -> {
                if (line.contains("waiting for " + late)) {
                    Files.createSymbolicLink(late, Path.of(disk.device));
                }
            });
            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(run.output()).contains("waiting for " + late);
            assertThat(mounted(root.resolve("persist"))).as(run.output()).isTrue();
            assertThat(mounted(root.resolve("etc/machine-id"))).as(run.output()).isTrue();
        }
    }

    @Test
    void aStoreDeviceThatNeverAppearsIsGivenUpOnAfterTheWait() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            prepare(disk, "");
            Path missing = disk.scratch.resolve("no-such-disk");
            Files.writeString(disk.at("@root/etc/fstab"), missing + " /persist btrfs subvol=@persist 0 0\n");
            Path root = boot(disk, "@root");
            Run run = entries(disk, root, java.util.Map.of("LETHE_DEVICE_WAIT", "2"));
            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(run.output()).contains(missing + " did not appear in 2 s", "cannot mount the store /persist");
            assertThat(mounted(root.resolve("persist"))).isFalse();
            assertThat(mounted(root.resolve("etc/machine-id"))).isFalse();
        }
    }

    @Test
    void aStoreWithoutAnFstabLineLeavesEverythingToApply() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            prepare(disk, "");
            Files.writeString(disk.at("@root/etc/fstab"), "# no store here\n");
            Path root = boot(disk, "@root");
            Run run = entries(disk, root);
            assertThat(run.exit()).isZero();
            assertThat(run.output()).contains("the store /persist has no line in");
            assertThat(mounted(root.resolve("etc/machine-id"))).isFalse();
            assertThat(disk.at("@persist/etc/machine-id")).doesNotExist();
        }
    }
}
