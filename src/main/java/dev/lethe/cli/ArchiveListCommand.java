package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.archive.ArchiveRef;
import dev.lethe.archive.RelativeTime;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "list", description = "Every archive: id, time, how long ago, size, degraded mark.")
final class ArchiveListCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin JsonOption output;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return RootSession.run(common, spec, (session, out) -> {
            List<ArchiveRef> archives = session.strategy.archives();
            String strategy = session.strategy.name();
            if (output.json) {
                try (JsonGenerator json = Json.on(out)) {
                    json.writeStartArray();
                    for (ArchiveRef archive : archives) {
                        json.writeStartObject();
                        json.writeStringField("id", archive.id());
                        json.writeStringField("created", archive.created().toString());
                        json.writeStringField("age", RelativeTime.label(archive.created(), session.context.clock()));
                        json.writeStringField("strategy", strategy);
                        json.writeNumberField("bytes", session.strategy.sizeOf(archive));
                        json.writeBooleanField("degraded", archive.degraded());
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                }
                out.println();
            } else if (archives.isEmpty()) {
                out.println("No archives (strategy " + strategy + ").");
            } else {
                // The mark's column only when an archive has the mark: a header over nothing says nothing.
                boolean marks = archives.stream().anyMatch(ArchiveRef::degraded);
                Table table = marks ? new Table("ID", "CREATED", "AGE", "STRATEGY", ">SIZE", "MARK")
                        : new Table("ID", "CREATED", "AGE", "STRATEGY", ">SIZE");
                for (ArchiveRef archive : archives) {
                    long bytes = session.strategy.sizeOf(archive);
                    List<Object> cells = new java.util.ArrayList<>(List.of(archive.id(), archive.created(),
                            RelativeTime.label(archive.created(), session.context.clock()), strategy,
                            bytes < 0 ? "-" : Words.bytes(bytes)));
                    if (marks) {
                        cells.add(archive.degraded() ? "DEGRADED" : "");
                    }
                    table.row(cells.toArray());
                }
                table.print(out);
            }
            return ExitCode.OK;
        });
    }
}
