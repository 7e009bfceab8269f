package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.archive.ArchiveRef;
import dev.lethe.exec.Restore;
import dev.lethe.linux.Fs;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.root.RootException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "restore", description = "Copy PATH from an archive back into the store of the entry that "
        + "covers it, keeping owner, mode and times; never over an existing path.")
final class ArchiveRestoreCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin JsonOption output;
    @Spec CommandSpec spec;
    @Parameters(index = "0", paramLabel = "ID") String id;
    @Parameters(index = "1", paramLabel = "PATH", converter = Converters.Absolute.class) AbsolutePath wanted;

    @Override
    public Integer call() throws Exception {
        Session.requireRoot("lethe archive restore");
        return RootSession.run(common, spec, (session, out) -> {
            Entry entry = session.config.entries().stream().filter(e -> wanted.startsWith(e.target())).findFirst()
                    .orElseThrow(() -> new RootException(wanted + " is not persisted by any entry, so it has no "
                            + "place in a store. Add an entry that covers it, apply, then restore."));
            ArchiveRef archive = ArchiveCommand.find(session, id);
            AbsolutePath restored;
            try (Fs fs = Fs.open(session.context.sys(), session.root.toString())) {
                restored = session.strategy.read(archive, files -> Restore.restore(fs, files, entry, wanted,
                        ProgressDisplay.forStderr(spec.commandLine().getErr(), output.json)));
            }
            if (output.json) {
                // One path per run today; a list, so that restoring several keeps the shape.
                JsonGenerator json = Json.envelope(out);
                json.writeArrayFieldStart("restored");
                json.writeStartObject();
                json.writeStringField("path", wanted.value());
                json.writeStringField("archive", archive.id());
                json.writeStringField("into", restored.value());
                json.writeEndObject();
                json.writeEndArray();
                Json.close(json, out);
            } else {
                out.println("restored " + wanted + " from " + archive.id() + " into " + restored);
            }
            return ExitCode.OK;
        });
    }
}
