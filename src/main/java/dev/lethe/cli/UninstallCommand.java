package dev.lethe.cli;

import dev.lethe.boot.Installation;
import dev.lethe.exec.Installer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "uninstall", description = "Remove exactly what lethe install wrote (listed as it goes); the root is "
        + "no longer forgotten at boot. Stores, archives and the config are left as they are.")
final class UninstallCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Option(names = "--dry-run", description = "Print what would be removed; change nothing.")
    boolean dryRun;

    @Option(names = "--no-initramfs", description = "Do not regenerate the initramfs afterwards.")
    boolean noInitramfs;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!dryRun) {
            Session.requireRoot("lethe uninstall");
        }
        Path root = common.root.toAbsolutePath().normalize();
        Installer installer = new Installer(root, out, dryRun);
        int removed = installer.uninstall();
        if (removed > 0 && !noInitramfs) {
            var regeneration = Installation.regeneration(InstallCommand.generator(root),
                    "regenerate the initramfs without lethe's initrd stage");
            if (regeneration.isPresent()) {
                installer.run(regeneration.get());
            }
        }
        out.println(dryRun ? "lethe: dry run, nothing was changed" : "lethe: uninstalled");
        out.flush();
        return ExitCode.OK;
    }
}
