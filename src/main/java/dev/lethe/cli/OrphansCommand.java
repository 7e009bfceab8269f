package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.exec.Orphans;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "orphans", description = "Data in the stores that no entry names any more (left by an entry removed "
        + "from the config), with sizes. lethe never deletes it.")
final class OrphansCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin JsonOption output;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return Session.run(common, spec, (session, out) -> {
            List<Orphans.Orphan> orphans = Orphans.find(session.fs, session.stores(), session.config.entries());
            if (output.json) {
                json(out, orphans);
            } else if (orphans.isEmpty()) {
                out.println("No orphans: every path in the stores belongs to an entry.");
            } else {
                Table table = new Table(">SIZE", ">FILES", "PATH", "WAS");
                for (Orphans.Orphan orphan : orphans.stream()
                        .sorted((a, b) -> Long.compare(b.bytes(), a.bytes())).toList()) {
                    table.row(Words.bytes(orphan.bytes()), orphan.files(), orphan.path(),
                            "/" + orphan.path().relativeTo(orphan.store()));
                }
                table.print(out);
                out.println("lethe never deletes these. Persist them again, or remove them yourself once you are sure.");
            }
            return ExitCode.OK;
        });
    }

    private static void json(PrintWriter out, List<Orphans.Orphan> orphans) throws java.io.IOException {
        try (JsonGenerator json = Json.on(out)) {
            json.writeStartArray();
            for (Orphans.Orphan orphan : orphans) {
                json.writeStartObject();
                json.writeStringField("store", orphan.store().value());
                json.writeStringField("path", orphan.path().value());
                json.writeStringField("was", "/" + orphan.path().relativeTo(orphan.store()));
                json.writeNumberField("bytes", orphan.bytes());
                json.writeNumberField("files", orphan.files());
                json.writeEndObject();
            }
            json.writeEndArray();
        }
        out.println();
    }
}
