package dev.lethe.cli;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.root.RootException;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "archive", description = "Old roots kept before they were forgotten: list, show, restore, prune.",
        subcommands = {ArchiveListCommand.class, ArchiveShowCommand.class, ArchiveRestoreCommand.class,
                ArchivePruneCommand.class})
final class ArchiveCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: list, show, restore or prune");
    }

    static ArchiveRef find(RootSession session, String id) throws IOException {
        return session.strategy.archives().stream().filter(a -> a.id().equals(id)).findFirst()
                .orElseThrow(() -> new RootException("no archive " + id + "; lethe archive list shows them"));
    }
}
