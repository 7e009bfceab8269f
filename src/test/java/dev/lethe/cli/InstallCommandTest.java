package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.boot.Installation;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lethe install and uninstall on a root directory (as an installer would, with --root): what is
 * written, that a second run changes nothing, that --dry-run and an invalid config write nothing,
 * and that uninstall removes exactly what install wrote. A fake build stands in for the runtime.
 */
class InstallCommandTest {

    @TempDir Path scratch;
    private Path root;
    private Path build;
    private String previousHome;

    private record Run(int exit, String out, String err) {}

    @BeforeEach
    void setUp() throws IOException {
        root = scratch.resolve("root");
        Files.createDirectories(root.resolve("etc/lethe"));
        Files.createDirectories(root.resolve("usr/sbin"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\nalice:x:1000:\n");
        Files.writeString(root.resolve("etc/lethe/lethe.toml"), """
                [root]
                strategy = "btrfs"
                device = "/dev/disk/by-label/system"
                subvolume = "@root"
                blank = "@root-blank"

                [[store]]
                path = "/persist"
                directories = ["/var/log"]
                files = [{ path = "/etc/machine-id", stage = "initrd" }]
                """);
        Files.writeString(root.resolve("usr/sbin/update-initramfs"), "#!/bin/sh\n");
        root.resolve("usr/sbin/update-initramfs").toFile().setExecutable(true);
        build = scratch.resolve("home/target");
        Files.createDirectories(build.resolve("runtime/bin"));
        Files.createDirectories(build.resolve("lib"));
        Files.writeString(build.resolve("runtime/bin/java"), "not really java\n");
        Files.writeString(build.resolve("lib/picocli.jar"), "a library\n");
        Files.writeString(build.resolve("lethe.jar"), "the program\n");
        Files.writeString(build.resolve("lethe.aot"), "the cache\n");
        Files.writeString(build.resolve("lethe-boot.aot"), "the boot's cache\n");
        Files.setLastModifiedTime(build.resolve("lethe.jar"), FileTime.fromMillis(1_700_000_000_000L));
        previousHome = System.getProperty("lethe.home");
        System.setProperty("lethe.home", scratch.resolve("home").toString());
    }

    @AfterEach
    void restore() {
        if (previousHome == null) {
            System.clearProperty("lethe.home");
        } else {
            System.setProperty("lethe.home", previousHome);
        }
    }

    private Run lethe(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> full = new java.util.ArrayList<>(List.of(args));
        full.addAll(List.of("--root", root.toString()));
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), full.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    /** Every path under the root with its content (links as "-> target"), to compare before and after. */
    private Map<String, String> tree() throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.toList()) {
                String key = "/" + root.relativize(path);
                files.put(key, Files.isSymbolicLink(path) ? "-> " + Files.readSymbolicLink(path)
                        : Files.isDirectory(path) ? "dir" : Files.readString(path));
            }
        }
        return files;
    }

    @Test
    void dryRunListsEveryFileAndWritesNothing() throws IOException {
        Map<String, String> before = tree();
        Run run = lethe("install", "--dry-run");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("would write  /usr/lib/lethe/initrd/lethe-initrd (new)",
                "would write  /etc/initramfs-tools/scripts/local-premount/lethe (new)",
                "would write  /etc/systemd/system/lethe-activate.service (new)",
                "would copy   /usr/lib/lethe/runtime (new)",
                "would link   /etc/systemd/system/local-fs.target.wants/lethe-activate.service",
                "would run    update-initramfs -u -k all", "dry run, nothing was changed");
        assertThat(tree()).isEqualTo(before);
    }

    @Test
    void installWritesTheBootPiecesAndASecondRunChangesNothing() throws IOException {
        Run first = lethe("install", "--no-initramfs");
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("regenerate the initramfs yourself (update-initramfs -u -k all)");
        assertThat(root.resolve("usr/lib/lethe/initrd/lethe-initrd")).isExecutable()
                .content().contains("lethe_device='/dev/disk/by-label/system'", "lethe_root='@root'",
                        "lethe_file \"$1\" '/persist' '/etc/machine-id' '0133'");
        assertThat(root.resolve("etc/initramfs-tools/hooks/lethe")).content().contains("copy_exec \"$(command -v btrfs)\"");
        assertThat(root.resolve("usr/lib/dracut/modules.d/90lethe/lethe-wipe.service")).content()
                .contains("After=dev-disk-by\\x2dlabel-system.device", "Before=sysroot.mount");
        assertThat(root.resolve("usr/lib/lethe/lethe.jar")).hasContent("the program");
        assertThat(Files.getLastModifiedTime(root.resolve("usr/lib/lethe/lethe.jar")))
                .as("times kept: the AOT cache accepts a jar by them").isEqualTo(FileTime.fromMillis(1_700_000_000_000L));
        assertThat(Files.readSymbolicLink(root.resolve("etc/systemd/system/local-fs.target.wants/lethe-activate.service")))
                .isEqualTo(Path.of("/etc/systemd/system/lethe-activate.service"));
        assertThat(root.resolve("etc/systemd/system/systemd-machine-id-commit.service.d/lethe.conf")).as(
                "the commit would refuse lethe's bind of the stored id and fail at every boot")
                .content().contains("ConditionKernelCommandLine=lethe=off");
        assertThat(root.resolve("etc/systemd/system/lethe-prune.service")).content().contains("RequiresMountsFor=/persist")
                .as("no [metrics] textfile: no metrics").doesNotContain("lethe metrics");
        assertThat(root.resolve("usr/lib/lethe/lethe-boot.aot")).hasContent("the boot's cache");
        assertThat(root.resolve("usr/sbin/lethe")).isExecutable().content()
                .contains("cache=/usr/lib/lethe/lethe.aot", "cache=/usr/lib/lethe/lethe-boot.aot", "-XX:AOTCache=\"$cache\"");
        Map<String, String> installed = tree();

        Run second = lethe("install");
        assertThat(second.exit()).isZero();
        assertThat(second.out()).doesNotContain("(new)", "(changed)").contains("skip", "nothing to change");
        assertThat(tree()).isEqualTo(installed);
    }

    /**
     * Debian's dracut package replaces initramfs-tools: with dracut on the root, install regenerates
     * with the command that writes the initramfs the boot loader loads (/boot/initrd.img-KVER on
     * Debian, proven in the VM suite's btrfs-dracut image), and the module pulls its units into the
     * systemd initrd, wanted by initrd.target (never required: a failed wipe boots the old root).
     */
    @Test
    void withDracutOnTheRootItRegeneratesWithDracut() throws IOException {
        Files.createDirectories(root.resolve("usr/bin"));
        Files.writeString(root.resolve("usr/bin/dracut"), "#!/bin/sh\n");
        root.resolve("usr/bin/dracut").toFile().setExecutable(true);
        Run dry = lethe("install", "--dry-run");
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("would run    dracut -f --regenerate-all").doesNotContain("update-initramfs");
        Run run = lethe("install", "--no-initramfs");
        assertThat(run.out()).contains("regenerate the initramfs yourself (dracut -f --regenerate-all)");
        assertThat(root.resolve("usr/lib/dracut/modules.d/90lethe/module-setup.sh")).isExecutable().content()
                .contains("depends() { echo systemd; }", "inst_simple /usr/lib/lethe/initrd/lethe-initrd /usr/sbin/lethe-initrd",
                        "inst_multiple btrfs date cmp mount umount",
                        "\"$systemdsystemunitdir/initrd.target.wants/lethe-wipe.service\"",
                        "\"$systemdsystemunitdir/initrd.target.wants/lethe-initrd-entries.service\"")
                .doesNotContain("initrd.target.requires");
        assertThat(root.resolve("usr/lib/dracut/modules.d/90lethe/lethe-initrd-entries.service")).content()
                .contains("After=initrd-root-fs.target lethe-wipe.service", "ExecStart=/usr/sbin/lethe-initrd entries /sysroot");
    }

    @Test
    void aChangedConfigRewritesOnlyWhatItRenders() throws IOException {
        lethe("install", "--no-initramfs");
        Files.writeString(root.resolve("etc/lethe/lethe.toml"),
                Files.readString(root.resolve("etc/lethe/lethe.toml")).replace("@root-blank", "@blank"));
        Run run = lethe("install");
        assertThat(run.out()).contains("write        /usr/lib/lethe/initrd/lethe-initrd (changed)",
                "run          update-initramfs -u -k all");
        assertThat(run.out()).doesNotContain("lethe-activate.service (changed)");
    }

    /**
     * A reinstall removes what the last one wrote and this one does not: a drop-in or unit left from
     * an older configuration would still act at every boot, and uninstall (which reads only the new
     * manifest) would never remove it.
     */
    @Test
    void aReinstallRemovesWhatTheConfigNoLongerNeeds() throws IOException {
        Map<String, String> before = tree();
        lethe("install", "--no-initramfs");
        Path dropIn = root.resolve("etc/systemd/system/systemd-machine-id-commit.service.d/lethe.conf");
        assertThat(dropIn).exists();
        Files.writeString(root.resolve("etc/lethe/lethe.toml"), Files.readString(root.resolve("etc/lethe/lethe.toml"))
                .replace("files = [{ path = \"/etc/machine-id\", stage = \"initrd\" }]", ""));
        before.put("/etc/lethe/lethe.toml", Files.readString(root.resolve("etc/lethe/lethe.toml")));
        Map<String, String> installed = tree();

        Run dry = lethe("install", "--dry-run");
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("would remove /etc/systemd/system/systemd-machine-id-commit.service.d/lethe.conf (no longer installed)",
                "would run    update-initramfs -u -k all");
        assertThat(tree()).as("a dry run removes nothing").isEqualTo(installed);

        Run run = lethe("install", "--no-initramfs");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("remove       /etc/systemd/system/systemd-machine-id-commit.service.d/lethe.conf (no longer installed)",
                "regenerate the initramfs yourself");
        assertThat(dropIn).doesNotExist();
        assertThat(root.resolve("usr/lib/lethe/installed")).content().doesNotContain("machine-id");
        assertThat(lethe("install", "--no-initramfs").out()).contains("installed, nothing to change");

        assertThat(lethe("uninstall", "--no-initramfs").exit()).isZero();
        Map<String, String> after = tree();
        after.keySet().removeIf(path -> !before.containsKey(path) && after.get(path).equals("dir"));
        assertThat(after).as("nothing of either install is left").isEqualTo(before);
    }

    /**
     * The manifest is a record, not an order: a line that is not a normal path below the root, a
     * directory where lethe wrote a file, or a path reached through a symbolic link is left alone,
     * and a failing install removes nothing.
     */
    @Test
    void aReinstallRemovesOnlyFilesLetheWroteAndOnlyOnceTheNewOnesAreWritten() throws IOException {
        lethe("install", "--no-initramfs");
        Path outside = scratch.resolve("outside");
        Files.writeString(outside, "not lethe's\n");
        Files.createDirectories(root.resolve("etc/systemd/system/old.conf.d"));
        Files.writeString(root.resolve("etc/systemd/system/old.conf.d/mine.conf"), "the user's\n");
        Files.createDirectories(root.resolve("srv/real"));
        Files.writeString(root.resolve("srv/real/data"), "the user's data\n");
        Files.createSymbolicLink(root.resolve("srv/link"), root.resolve("srv/real"));
        Path manifest = root.resolve("usr/lib/lethe/installed");
        Files.writeString(manifest, Files.readString(manifest)
                + "/\n/../outside\n/usr/lib/lethe/../../../outside\n//etc/passwd\n/etc/group/\n"
                + "/etc/systemd/system/old.conf.d\n/srv/link/data\n");
        Map<String, String> before = tree();

        Files.delete(build.resolve("lethe.jar"));
        Run failed = lethe("install", "--no-initramfs");
        assertThat(failed.exit()).isNotZero();
        assertThat(tree()).as("a failed install removes nothing").isEqualTo(before);
        Files.writeString(build.resolve("lethe.jar"), "the program\n");

        Run run = lethe("install", "--no-initramfs");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("skip         /../outside (not a path lethe writes: ignored)",
                "kept         /etc/systemd/system/old.conf.d (no longer installed, but a directory",
                "kept         /srv/link/data (a directory above it is a symbolic link");
        assertThat(outside).hasContent("not lethe's");
        assertThat(root.resolve("etc/passwd")).exists();
        assertThat(root.resolve("etc/group")).exists();
        assertThat(root.resolve("etc/systemd/system/old.conf.d/mine.conf")).hasContent("the user's");
        assertThat(root.resolve("srv/real/data")).hasContent("the user's data");
    }

    /** A build without the boot's cache (built without root): the old one, made for another jar, goes. */
    @Test
    void aReinstallFromABuildWithoutTheBootCacheRemovesTheOldOne() throws IOException {
        lethe("install", "--no-initramfs");
        assertThat(root.resolve("usr/lib/lethe/lethe-boot.aot")).exists();
        Files.delete(build.resolve("lethe-boot.aot"));
        Run run = lethe("install", "--no-initramfs");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("remove       /usr/lib/lethe/lethe-boot.aot (no longer installed)");
        assertThat(root.resolve("usr/lib/lethe/lethe-boot.aot")).doesNotExist();
        assertThat(root.resolve("usr/lib/lethe/lethe.aot")).exists();
    }

    @Test
    void aMetricsTextfileMakesThePruneUnitWriteItAfterEachRun() throws IOException {
        lethe("install", "--no-initramfs");
        Files.writeString(root.resolve("etc/lethe/lethe.toml"), Files.readString(root.resolve("etc/lethe/lethe.toml"))
                + "\n[metrics]\ntextfile = \"/var/lib/prometheus/node-exporter/lethe%.prom\"\n");
        Run run = lethe("install", "--no-initramfs");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("/etc/systemd/system/lethe-prune.service (changed)")
                .doesNotContain("lethe-activate.service (changed)", "lethe-capture.service (changed)");
        // Quoted, and systemd's specifier sign doubled, so the file is the path written in the config.
        assertThat(root.resolve("etc/systemd/system/lethe-prune.service")).content().contains("""
                ExecStart=/usr/sbin/lethe archive prune
                ExecStartPost=-/usr/sbin/lethe metrics --output "/var/lib/prometheus/node-exporter/lethe%%.prom"
                """);
    }

    @Test
    void zfsIsInstalledWithItsToolsAndTheZfsDracutModule() throws IOException {
        Files.writeString(root.resolve("etc/lethe/lethe.toml"), """
                [root]
                strategy = "zfs"
                dataset = "rpool/ROOT/debian"

                [[store]]
                path = "/persist"
                files = [{ path = "/etc/machine-id", stage = "initrd" }]
                """);
        Run run = lethe("install", "--no-initramfs");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(root.resolve("usr/lib/lethe/initrd/lethe-initrd")).isExecutable().content()
                .contains("lethe_root='rpool/ROOT/debian'", "lethe_archives='rpool/lethe-archives'",
                        "lethe_zfs 'rename' 'rpool/ROOT/debian' \"${lethe_archive}\"",
                        "lethe_file \"$1\" '/persist' '/etc/machine-id' '0133'")
                .doesNotContain("btrfs");
        assertThat(root.resolve("etc/initramfs-tools/hooks/lethe")).content()
                .contains("copy_exec \"$(command -v zfs)\" /usr/bin/zfs", "copy_exec \"$(command -v zpool)\" /usr/bin/zpool")
                .doesNotContain("btrfs");
        assertThat(root.resolve("usr/lib/dracut/modules.d/90lethe/module-setup.sh")).content()
                .contains("depends() { echo systemd zfs; }");
        assertThat(root.resolve("usr/lib/dracut/modules.d/90lethe/lethe-wipe.service")).content()
                .contains("After=zfs-import.target", "Before=sysroot.mount");
    }

    @Test
    void anInvalidConfigIsRefusedBeforeAnythingIsWritten() throws IOException {
        Files.writeString(root.resolve("etc/lethe/lethe.toml"), "[[store]]\npath = \"persist\"\n");
        Map<String, String> before = tree();
        Run run = lethe("install");
        assertThat(run.exit()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.err()).contains("lethe.toml:2");
        assertThat(tree()).isEqualTo(before);
    }

    /** overlay: the script mounts the overlay root after the real root is mounted; the initramfs gets its tools. */
    @Test
    void anOverlayRootIsInstalledWithItsMountStepAndTools() throws IOException {
        Files.writeString(root.resolve("etc/lethe/lethe.toml"), """
                [root]
                strategy = "overlay"
                upper = "/state/overlay"

                [[store]]
                path = "/persist"
                files = [{ path = "/etc/machine-id", stage = "initrd" }]
                """);
        Map<String, String> before = tree();
        Run dry = lethe("install", "--dry-run");
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("/usr/lib/lethe/initrd/lethe-initrd", "/etc/initramfs-tools/scripts/local-bottom/lethe");
        assertThat(tree()).as("a dry run writes nothing").isEqualTo(before);

        Run run = lethe("install", "--no-initramfs");
        assertThat(run.exit()).as(run.err()).isZero();
        String script = Files.readString(root.resolve("usr/lib/lethe/initrd/lethe-initrd"));
        assertThat(script).contains("lethe_upper='/state/overlay'", "lethe_overlay_switch_current", "mount -t overlay");
        assertThat(Files.readString(root.resolve("etc/initramfs-tools/scripts/local-bottom/lethe")))
                .contains("lethe-initrd mount \"${rootmnt:-/root}\"");
        assertThat(Files.readString(root.resolve("etc/initramfs-tools/hooks/lethe")))
                .contains("/usr/lib/lethe/bin/mv", "command -v stat", "manual_add_modules overlay");
        assertThat(lethe("install", "--no-initramfs").out()).contains("installed, nothing to change");
    }

    @Test
    void aTmpfsRootIsInstalledToo() throws IOException {
        Files.writeString(root.resolve("etc/lethe/lethe.toml"), "[root]\nstrategy = \"tmpfs\"\n");
        Run run = lethe("install", "--no-initramfs");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(Files.readString(root.resolve("usr/lib/lethe/initrd/lethe-initrd"))).contains("mount -t tmpfs");
    }

    @Test
    void uninstallRemovesExactlyWhatInstallWrote() throws IOException {
        Files.createDirectories(root.resolve("etc/systemd/system/multi-user.target.wants"));
        Files.createSymbolicLink(root.resolve("etc/systemd/system/multi-user.target.wants/ssh.service"),
                Path.of("/lib/systemd/system/ssh.service"));
        Map<String, String> before = tree();
        lethe("install", "--no-initramfs");
        Run dry = lethe("uninstall", "--dry-run");
        assertThat(dry.out()).contains("would remove /usr/lib/lethe/initrd/lethe-initrd", "would remove /usr/sbin/lethe");
        Run run = lethe("uninstall", "--no-initramfs");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("remove       /etc/systemd/system/lethe-activate.service");
        Map<String, String> after = tree();
        after.keySet().removeIf(path -> !before.containsKey(path) && after.get(path).equals("dir"));
        assertThat(after).as("every file install wrote is gone; the others are as they were").isEqualTo(before);
        assertThat(Files.exists(root.resolve("usr/lib/lethe"))).isFalse();
    }

    /** The root as the .deb leaves it: the runtime and launcher under dpkg's care, with the marker. */
    private void installThePackage() throws IOException {
        Files.createDirectories(root.resolve("usr/lib/lethe/runtime/bin"));
        Files.writeString(root.resolve("usr/lib/lethe/runtime/bin/java"), "the package's java\n");
        Files.writeString(root.resolve("usr/lib/lethe/lethe.jar"), "the package's program\n");
        Files.writeString(root.resolve("usr/sbin/lethe"), "#!/bin/sh\n# the package's launcher\n");
        Files.writeString(root.resolve("usr/lib/lethe/packaged"), "the lethe package\n");
    }

    @Test
    void onARootWithThePackageInstallLeavesTheRuntimeAndLauncherToIt() throws IOException {
        installThePackage();
        Map<String, String> packaged = tree();
        Run run = lethe("install", "--no-initramfs");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("packaged     /usr/lib/lethe and /usr/sbin/lethe (the lethe package's)")
                .doesNotContain("copy ", "/usr/sbin/lethe (new)");
        assertThat(root.resolve("usr/lib/lethe/initrd/lethe-initrd")).isExecutable();
        assertThat(root.resolve("etc/systemd/system/lethe-activate.service")).exists();
        Map<String, String> after = tree();
        assertThat(after).as("the package's files as the package left them").containsAllEntriesOf(packaged);
        assertThat(root.resolve("usr/lib/lethe/installed")).content()
                .contains("/usr/lib/lethe/initrd/lethe-initrd").doesNotContain("/usr/lib/lethe/runtime", "/usr/sbin/lethe\n");

        Run uninstall = lethe("uninstall", "--no-initramfs");
        assertThat(uninstall.exit()).as(uninstall.err()).isZero();
        assertThat(tree()).as("uninstall removes the boot pieces and leaves the package whole").isEqualTo(withDirectories(packaged));
    }

    /** A machine installed from a checkout, then given the package: the old manifest lists dpkg's files. */
    @Test
    void uninstallNeverRemovesThePackagesFilesEvenWhenAnOldManifestListsThem() throws IOException {
        lethe("install", "--no-initramfs");
        assertThat(root.resolve("usr/lib/lethe/installed")).content().contains("/usr/lib/lethe/runtime", "/usr/sbin/lethe");
        installThePackage();
        Run run = lethe("uninstall", "--no-initramfs");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("kept         /usr/sbin/lethe (the lethe package's", "remove       /etc/systemd/system/lethe-activate.service");
        assertThat(root.resolve("usr/sbin/lethe")).content().contains("the package's launcher");
        assertThat(root.resolve("usr/lib/lethe/lethe.jar")).hasContent("the package's program");
        assertThat(root.resolve("usr/lib/lethe/runtime/bin/java")).exists();
        assertThat(root.resolve("usr/lib/lethe/installed")).doesNotExist();
        assertThat(root.resolve("etc/systemd/system/lethe-activate.service")).doesNotExist();
    }

    /** A machine installed from a checkout, then given the package, then installed again: dpkg's files stay. */
    @Test
    void aReinstallOverThePackageKeepsThePackagesFiles() throws IOException {
        lethe("install", "--no-initramfs");
        installThePackage();
        Run run = lethe("install", "--no-initramfs");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("kept         /usr/sbin/lethe (the lethe package's").doesNotContain("remove       ");
        assertThat(root.resolve("usr/sbin/lethe")).content().contains("the package's launcher");
        assertThat(root.resolve("usr/lib/lethe/lethe.jar")).hasContent("the package's program");
        assertThat(root.resolve("usr/lib/lethe/runtime/bin/java")).hasContent("the package's java\n");
        assertThat(root.resolve("usr/lib/lethe/installed")).content().doesNotContain("/usr/lib/lethe/runtime");
    }

    /** The tree with the directories install made and uninstall left (empty) taken out. */
    private Map<String, String> withDirectories(Map<String, String> expected) throws IOException {
        Map<String, String> now = tree();
        Map<String, String> result = new TreeMap<>(expected);
        now.forEach((path, content) -> {
            if (content.equals("dir") && !expected.containsKey(path)) {
                result.put(path, content);
            }
        });
        return result;
    }
}
