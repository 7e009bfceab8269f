package dev.lethe.cli;

import dev.lethe.config.Accounts;
import dev.lethe.config.ConfigFile;
import dev.lethe.config.ConfigLoader;
import dev.lethe.config.StarterConfig;
import dev.lethe.exec.PathKinds;
import dev.lethe.linux.Fs;
import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "init", description = "Write a starter config: the paths almost every machine keeps, those this one has, "
        + "commented. Never overwrites a config.")
final class InitCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Option(names = "--store", paramLabel = "DIR", defaultValue = "/persist", converter = Converters.Absolute.class, description = "The store's path. Default: /persist")
    AbsolutePath store;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path root = Session.checkedRoot(common.root);
        Path file = common.configFile();
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return refuseExisting(file);
        }
        String text;
        try (Fs fs = Fs.open(Wiring.syscalls(), root.toString())) {
            text = StarterConfig.render(store, (path, kind) -> {
                try {
                    return PathKinds.of(fs, path).filter(kind::equals).isPresent();
                } catch (IOException e) {
                    return false;  // unreadable or behind a symbolic link: not offered
                }
            });
        }
        // What init writes must pass check; if it did not, that is a bug, and nothing is written.
        ConfigLoader.parse(text, file.toString(), Accounts.load(root));
        Files.createDirectories(file.toAbsolutePath().getParent());
        try {
            ConfigFile.create(file, text);
        } catch (FileAlreadyExistsException e) {
            return refuseExisting(file);
        }
        out.printf("lethe: wrote %s; read it, then lethe apply (nothing is wiped: adoption mode)%n", file);
        if (!Files.isDirectory(root.resolve(store.value().substring(1)))) {
            out.printf("lethe: the store %s does not exist on %s yet: create and mount it before lethe apply%n", store, root);
        }
        out.flush();
        return ExitCode.OK;
    }

    private int refuseExisting(Path file) {
        PrintWriter err = spec.commandLine().getErr();
        err.printf("lethe: %s exists already; lethe init never overwrites a config: edit it, or add paths with lethe persist%n",
                file);
        err.flush();
        return ExitCode.ENTRIES_FAILED;
    }
}
