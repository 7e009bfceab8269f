package dev.lethe.cli;

import dev.lethe.boot.InitrdScript;
import dev.lethe.boot.InstallStep;
import dev.lethe.boot.Installation;
import dev.lethe.config.Config;
import dev.lethe.exec.Installer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "install", description = "Set the machine (or the root mounted at --root) up to forget its root at "
        + "every boot: the runtime, the initrd stage (initramfs-tools and dracut), the systemd units. Running it "
        + "again changes only what differs.")
final class InstallCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Option(names = "--dry-run", description = "Print every file install would write or change and every command it "
            + "would run; change nothing.")
    boolean dryRun;

    @Option(names = "--no-initramfs", description = "Do not regenerate the initramfs (an image builder that runs "
            + "update-initramfs or dracut itself afterwards).")
    boolean noInitramfs;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        // The config first: an invalid one is refused before anything is written (exit 3).
        Config config = Session.loadConfig(common);
        if (!dryRun) {
            Session.requireRoot("lethe install");
        }
        Path root = common.root.toAbsolutePath().normalize();
        Installation.Generator generator = generator(root);
        // The root has the lethe package: its runtime and launcher stay the package manager's.
        boolean packaged = Files.exists(root.resolve(Installation.PACKAGED.substring(1)));
        List<InstallStep> steps = Installation.plan(config, Build.locate(), generator, !noInitramfs,
                packaged ? Installation.RuntimeOwner.PACKAGE : Installation.RuntimeOwner.INSTALL);
        if (packaged) {
            out.printf("%-12s %s and %s (the lethe package's)%n", "packaged", Installation.HOME, Installation.LAUNCHER);
        }
        int changes = new Installer(root, out, dryRun).install(steps);
        if (generator == Installation.Generator.NONE) {
            out.println("lethe: no initramfs generator (update-initramfs or dracut) on " + root
                    + ": the initrd stage is written but not in any initramfs");
        } else if (noInitramfs && changes > 0) {
            out.println("lethe: regenerate the initramfs yourself (" + (generator == Installation.Generator.DRACUT
                    ? "dracut -f --regenerate-all" : "update-initramfs -u -k all") + ")");
        }
        out.println(dryRun ? "lethe: dry run, nothing was changed" : changes == 0 ? "lethe: installed, nothing to change"
                : "lethe: installed; the next boot forgets its root");
        out.flush();
        return ExitCode.OK;
    }

    /** dracut where it is installed (on Debian it replaces initramfs-tools), else initramfs-tools. */
    static Installation.Generator generator(Path root) {
        for (String dracut : List.of("usr/bin/dracut", "usr/sbin/dracut")) {
            if (Files.isExecutable(root.resolve(dracut))) {
                return Installation.Generator.DRACUT;
            }
        }
        for (String tools : List.of("usr/sbin/update-initramfs", "sbin/update-initramfs")) {
            if (Files.isExecutable(root.resolve(tools))) {
                return Installation.Generator.INITRAMFS_TOOLS;
            }
        }
        return Installation.Generator.NONE;
    }
}
