package dev.lethe.cli;

import dev.lethe.config.ConfigEdit;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "forget", description = "Remove paths from the config (its comments and layout kept), then apply: "
        + "they are unmounted; their data stays in the store, as an orphan.")
final class ForgetCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "The entries' paths; with --user, relative to the home.")
    List<String> paths;
    @Option(names = "--user", paramLabel = "NAME", description = "Paths in NAME's home.")
    String user;
    @Option(names = "--no-apply", description = "Only change the config.")
    boolean noApply;

    @Override
    public Integer call() throws Exception {
        ConfigEditing editing = ConfigEditing.open(common, !noApply, "forget");
        AbsolutePath home = user == null ? AbsolutePath.ROOT : editing.accounts().knownUser(user).map(u -> u.home())
                .orElseThrow(() -> new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "no user " + user + " in " + editing.root().resolve("etc/passwd")));
        List<AbsolutePath> targets = paths.stream().map(p -> target(home, p)).toList();
        ConfigEdit.Result edit;
        try {
            edit = ConfigEdit.remove(editing.text(), editing.file().toString(), editing.accounts(), targets);
        } catch (dev.lethe.config.ConfigException refusal) {
            return ConfigEditing.refused(refusal, "forget", spec.commandLine().getErr());
        }
        PrintWriter out = spec.commandLine().getOut();
        int exit = editing.write(edit, "forget", !noApply, out, spec.commandLine().getErr());
        for (Entry entry : edit.changed()) {
            out.printf("lethe: %s is no longer persisted; its data stays in %s (lethe never deletes it: lethe orphans "
                    + "lists it; move it back or delete it yourself)%n", entry.target(), entry.source());
        }
        out.flush();
        return exit;
    }

    private AbsolutePath target(AbsolutePath home, String path) {
        String absolute = home.isRoot() ? path : home.value() + "/" + path;
        String problem = AbsolutePath.problemWith(absolute);
        if (problem != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), path + ": " + problem);
        }
        return AbsolutePath.of(absolute);
    }
}
