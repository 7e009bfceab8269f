package dev.lethe.boot;

import dev.lethe.config.Config;
import dev.lethe.config.RootConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code lethe install} puts on a root, from the config and a lethe build: the runtime under
 * /usr/lib/lethe (on the root, so in the blank too, never in a store), the launcher, the initrd
 * script and its wiring for initramfs-tools and dracut, and the systemd units, enabled.
 */
public final class Installation {
    private Installation() {}

    public static final String HOME = "/usr/lib/lethe";
    public static final String LAUNCHER = "/usr/sbin/lethe";
    /** The kernel's transparent huge page mode, read by the launcher: "always [madvise] never". */
    public static final String HUGE_PAGE_MODE = "/sys/kernel/mm/transparent_hugepage/enabled";
    /** The list of what install wrote, read by uninstall. */
    public static final String MANIFEST = HOME + "/installed";
    /**
     * Shipped by the .deb (scripts/package): the runtime under HOME and the launcher are then the
     * package manager's, so install does not copy them and uninstall does not remove them (dpkg
     * would believe them installed while they were gone).
     */
    public static final String PACKAGED = HOME + "/packaged";
    private static final String UNITS = "/etc/systemd/system";
    /**
     * The boot units' own AOT cache, beside lethe.aot in a build and under HOME; a build made without
     * root has none (its training needs mounts), and the launcher then starts them from lethe.aot.
     */
    public static final String BOOT_CACHE = "lethe-boot.aot";

    /** Which initramfs generator the root uses, and so which one install regenerates. */
    public enum Generator { INITRAMFS_TOOLS, DRACUT, NONE }

    /** Who puts the runtime and the launcher on the managed root. */
    public enum RuntimeOwner {
        /** install copies them from the running lethe's build, uninstall removes them. */
        INSTALL,
        /** the lethe package has them there ({@link #PACKAGED} exists): install leaves them to it. */
        PACKAGE
    }

    /** The paths the lethe package owns that install would otherwise write: never removed by uninstall. */
    public static List<String> packageOwned() {
        return List.of(HOME + "/runtime", HOME + "/lib", HOME + "/lethe.jar", HOME + "/lethe.aot", HOME + "/" + BOOT_CACHE,
                LAUNCHER, PACKAGED);
    }

    /**
     * @param build     a lethe build: lethe.jar, lib/, runtime/, lethe.aot and (built as root) lethe-boot.aot
     * @param generator the root's initramfs generator
     * @param regenerate run it after the files are written
     * @param runtime   whether install copies the runtime and the launcher, or the package has them there
     */
    public static List<InstallStep> plan(Config config, Path build, Generator generator, boolean regenerate, RuntimeOwner runtime) {
        RootConfig root = config.root();
        List<InstallStep> steps = new ArrayList<>();
        if (runtime == RuntimeOwner.INSTALL) {
            steps.add(new InstallStep.Copy(build.resolve("runtime"), HOME + "/runtime"));
            steps.add(new InstallStep.Copy(build.resolve("lib"), HOME + "/lib"));
            steps.add(new InstallStep.Copy(build.resolve("lethe.jar"), HOME + "/lethe.jar"));
            steps.add(new InstallStep.Copy(build.resolve("lethe.aot"), HOME + "/lethe.aot"));
            if (Files.exists(build.resolve(BOOT_CACHE))) {
                steps.add(new InstallStep.Copy(build.resolve(BOOT_CACHE), HOME + "/" + BOOT_CACHE));
            }
            steps.add(new InstallStep.WriteFile(LAUNCHER, launcher(), 0755));
        }
        steps.add(new InstallStep.WriteFile(InitrdScript.PATH, InitrdScript.render(config), 0755));

        steps.add(new InstallStep.WriteFile(Generators.HOOK, Generators.hook(root), 0755));
        steps.add(new InstallStep.WriteFile(Generators.PREMOUNT, Generators.premount(), 0755));
        steps.add(new InstallStep.WriteFile(Generators.BOTTOM, Generators.bottom(), 0755));
        steps.add(new InstallStep.WriteFile(Generators.DRACUT_MODULE + "/module-setup.sh",
                Generators.dracutModuleSetup(root), 0755));
        steps.add(new InstallStep.WriteFile(Generators.DRACUT_MODULE + "/" + Units.INITRD_WIPE, Units.initrdWipe(root), 0644));
        steps.add(new InstallStep.WriteFile(Generators.DRACUT_MODULE + "/" + Units.INITRD_ENTRIES, Units.initrdEntries(), 0644));

        steps.add(new InstallStep.WriteFile(UNITS + "/" + Units.ACTIVATE, Units.activate(config), 0644));
        steps.add(new InstallStep.WriteFile(UNITS + "/" + Units.CAPTURE, Units.capture(config), 0644));
        steps.add(new InstallStep.WriteFile(UNITS + "/" + Units.PRUNE, Units.prune(config), 0644));
        steps.add(new InstallStep.WriteFile(UNITS + "/" + Units.PRUNE_TIMER, Units.pruneTimer(), 0644));
        if (config.entries().stream().anyMatch(e -> e.target().value().equals("/etc/machine-id"))) {
            steps.add(new InstallStep.WriteFile(Units.MACHINE_ID_COMMIT_DROP_IN, Units.machineIdCommitDropIn(), 0644));
        }
        steps.add(enable("local-fs.target", Units.ACTIVATE));
        steps.add(enable("multi-user.target", Units.CAPTURE));
        steps.add(enable("multi-user.target", Units.PRUNE));
        steps.add(enable("timers.target", Units.PRUNE_TIMER));
        if (regenerate) {
            regeneration(generator, "regenerate the initramfs with lethe's initrd stage").ifPresent(steps::add);
        }
        return List.copyOf(steps);
    }

    /** The command that rebuilds the initramfs with this generator, if there is one. */
    public static java.util.Optional<InstallStep.Run> regeneration(Generator generator, String why) {
        return switch (generator) {
            case INITRAMFS_TOOLS -> java.util.Optional.of(new InstallStep.Run(List.of("update-initramfs", "-u", "-k", "all"), why));
            case DRACUT -> java.util.Optional.of(new InstallStep.Run(List.of("dracut", "-f", "--regenerate-all"), why));
            case NONE -> java.util.Optional.empty();
        };
    }

    private static InstallStep enable(String target, String unit) {
        return new InstallStep.Link(UNITS + "/" + target + ".wants/" + unit, UNITS + "/" + unit);
    }

    /**
     * /usr/sbin/lethe: the JVM flags the AOT caches were trained with, or a cache is refused. The
     * boot and capture units' commands ({@code apply --boot ...}, {@code apply --cache-in ...}) start
     * from the boot's own cache, which holds their classes alone (fewer to map and load at every
     * start), when there is one; every other command from the full one. A refused cache costs speed,
     * never the command: the JVM then runs without it, silently. The heap asks for transparent huge
     * pages where the kernel gives them on request ({@code madvise}, or {@code always}): a JVM touches
     * tens of megabytes of fresh heap, and each 4 KiB page is a fault (measured: a boot of 12 entries
     * 0.94x, a diff of 200 000 files 0.8x); not under {@code never}, where the JVM prints its refusal
     * on stdout. The young generation is at most 24 MiB: on a machine with gigabytes the JVM would
     * size it at a third of 1/64 of them, and every fresh page of it is cleared by the kernel at its
     * first touch (a huge page at a time), where a small one is collected and used again (measured:
     * a btrfs diff of 1 000 changed directories 0.88x, a boot of 1 250 entries 0.93x). A maximum,
     * not a fixed size: a small machine's heap keeps its own smaller young generation without a
     * warning (the JVM warns only where the whole heap is 24 MiB or less). The .deb ships the same
     * text (scripts/package).
     */
    public static String launcher() {
        return """
                #!/bin/sh
                # lethe's launcher, written by lethe install; do not edit.
                cache=%1$s/lethe.aot
                case "$1 $2" in
                    "apply --boot"* | "apply --cache-in"*) [ ! -f %1$s/%2$s ] || cache=%1$s/%2$s ;;
                esac
                pages=
                [ ! -r %3$s ] || read -r pages <%3$s
                case "$pages" in
                    *"[madvise]"* | *"[always]"*) pages=-XX:+UseTransparentHugePages ;;
                    *) pages= ;;
                esac
                exec %1$s/runtime/bin/java -XX:+UseSerialGC -XX:MaxNewSize=24m -XX:TieredStopAtLevel=1 -XX:-UsePerfData $pages \\
                    --enable-native-access=ALL-UNNAMED -XX:AOTCache="$cache" -Xlog:aot=off -Xlog:cds=off \\
                    -Dlethe.home=%1$s -cp %1$s/lethe.jar dev.lethe.cli.Main "$@"
                """.formatted(HOME, BOOT_CACHE, HUGE_PAGE_MODE);
    }
}
