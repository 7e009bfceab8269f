package dev.lethe.cli;

import dev.lethe.diff.Adoption;
import dev.lethe.diff.Change;
import dev.lethe.diff.Filter;
import dev.lethe.diff.Summary;
import dev.lethe.exec.Stores;
import dev.lethe.linux.Fs;
import dev.lethe.model.AbsolutePath;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "diff", description = "What the next boot will forget: every path added, modified or deleted on the "
        + "root since the blank state, minus what the config persists.")
final class DiffCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin JsonOption output;
    @Mixin DiffOptions options;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return RootSession.run(common, spec, false, (session, out) -> {
            List<String> ignored = session.config.diff().ignoreAnd(options.ignore);
            Filter filter = Filter.of(session.config.entries(), ignored, options.all).leavingOut(session.stores());
            DiffText.Options shown = new DiffText.Options(options.top, options.suggest, !options.all && !ignored.isEmpty());
            Optional<List<Change>> changes = options.archive != null
                    ? Optional.of(session.strategy.diffArchive(ArchiveCommand.find(session, options.archive), filter))
                    : session.strategy.diff(session.root, filter);
            if (changes.isEmpty()) {  // no blank state: the adoption-mode diff
                Adoption.Result result = Adoption.diff(session.context.sys(), session.context.clock(), session.root,
                        live -> usableStores(session, live), filter,
                        ProgressDisplay.forWalk(spec.commandLine().getErr(), output.json));
                if (output.json && options.suggest) {
                    DiffText.jsonWithSuggestions(out, result.walk().changes(), result.walk(), DiffText.suggest(session,
                            session.root, Summary.rolledUp(result.walk().changes(), options.top).top()));
                } else if (output.json) {
                    DiffText.json(out, result.walk().changes(), result.walk());
                } else {
                    DiffText.adoption(out, result, shown, directories -> DiffText.suggest(session, session.root, directories));
                }
                return ExitCode.OK;
            }
            List<Change> kept = filter.withoutDirectoriesLetheMakes(changes.get());
            // The live path's owner and mode: the written root's (an overlay's upper) over the root's.
            Path written = session.strategy.writtenRoot(session.root).orElse(session.root);
            if (output.json && options.suggest) {
                DiffText.jsonWithSuggestions(out, kept, null,
                        DiffText.suggest(session, written, Summary.of(kept, options.top).top()));
            } else if (output.json) {
                DiffText.json(out, kept, null);
            } else {
                DiffText.text(out, kept, Summary.of(kept, options.top), change -> 1L, shown,
                        directories -> DiffText.suggest(session, written, directories));
            }
            return ExitCode.OK;
        });
    }

    /** The stores fit for the hash cache; said at once when there is none, as the walk then reads every package file. */
    private List<AbsolutePath> usableStores(RootSession session, Fs live) throws java.io.IOException {
        List<AbsolutePath> usable = Stores.usable(live, session.config.stores());
        if (usable.isEmpty() && !session.config.stores().isEmpty()) {
            spec.commandLine().getErr().println("lethe: no store is mounted (" + session.stores().getFirst()
                    + " is not a mount point, and not on-root = true): diff runs without its hash cache, "
                    + "so every package file is read.");
        }
        return usable;
    }
}
