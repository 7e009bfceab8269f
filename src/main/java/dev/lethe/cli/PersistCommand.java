package dev.lethe.cli;

import dev.lethe.config.ConfigEdit;
import dev.lethe.config.NewEntry;
import dev.lethe.exec.PathKinds;
import dev.lethe.linux.Fs;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "persist", description = "Add paths to the config (its comments and layout kept), then apply: "
        + "existing data moves into the store and is mounted back.")
final class PersistCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Absolute paths; with --user, relative to the home.")
    List<String> paths;
    @Option(names = "--store", paramLabel = "DIR", description = "The store to keep them in. Default: the only one.")
    String store;
    @Option(names = "--user", paramLabel = "NAME", description = "Paths in NAME's home ([store.users.NAME]).")
    String user;
    @ArgGroup(exclusive = true)
    KindChoice kind;
    @Mixin EntryOptions entryOptions;
    @Option(names = "--no-apply", description = "Only change the config.")
    boolean noApply;

    static final class KindChoice {
        @Option(names = "--file", description = "Persist files. Default: what the path is now.") boolean file;
        @Option(names = "--directory", description = "Persist directories.") boolean directory;
    }

    @Override
    public Integer call() throws Exception {
        ConfigEditing editing = ConfigEditing.open(common, !noApply, "persist");
        SequencedMap<String, String> options = entryOptions.written();
        List<NewEntry> entries = new ArrayList<>();
        List<String> undetermined = new ArrayList<>();
        try (Fs fs = Fs.open(Wiring.syscalls(), editing.root().toString())) {
            for (String path : paths) {
                Optional<Kind> found = kindOf(fs, editing, path);
                found.ifPresentOrElse(k -> { }, () -> undetermined.add(path));
                entries.add(new NewEntry(Optional.ofNullable(store).map(AbsolutePath::of), Optional.ofNullable(user),
                        path, found.orElse(Kind.DIRECTORY), options));
            }
        }
        ConfigEdit.Result edit;
        try {
            edit = ConfigEdit.add(editing.text(), editing.file().toString(), editing.accounts(), entries);
        } catch (dev.lethe.config.ConfigException refusal) {
            return ConfigEditing.refused(refusal, "persist", spec.commandLine().getErr());
        }
        // Asked only once the config accepts the paths: a path inside an entry is that error first.
        if (!undetermined.isEmpty()) {
            throw new ParameterException(spec.commandLine(), String.join(", ", undetermined) + ": neither a directory nor a "
                    + "file on " + editing.root() + " (missing, a symbolic link or special): say --file or --directory");
        }
        return editing.write(edit, "persist", !noApply, spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** --file or --directory, else what the path is on the root now; an invalid path is the config's to report. */
    private Optional<Kind> kindOf(Fs fs, ConfigEditing editing, String path) throws java.io.IOException {
        if (kind != null) {
            return Optional.of(kind.file ? Kind.FILE : Kind.DIRECTORY);
        }
        Optional<AbsolutePath> base = user == null ? Optional.of(AbsolutePath.ROOT)
                : editing.accounts().knownUser(user).map(u -> u.home());
        String absolute = base.map(b -> b.isRoot() ? path : b.value() + "/" + path).orElse("");
        if (base.isEmpty() || AbsolutePath.problemWith(absolute) != null) {
            return Optional.of(Kind.DIRECTORY);
        }
        return PathKinds.of(fs, AbsolutePath.of(absolute));
    }
}
