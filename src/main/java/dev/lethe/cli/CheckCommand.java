package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.config.Config;
import dev.lethe.model.Entry;
import dev.lethe.model.Mode;
import dev.lethe.model.PathGlob;
import dev.lethe.model.Principal;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "check", description = "Validate the config; print its normalised entries, or every error with file:line.")
final class CheckCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin JsonOption output;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Config config = Session.loadConfig(common);  // a ConfigException: every error printed, exit 3, in Main
        if (output.json) {
            try (JsonGenerator json = Json.on(out)) {
                json.writeStartObject();
                json.writeStringField("config", config.file());
                json.writeStringField("strategy", config.root().strategy().name().toLowerCase(java.util.Locale.ROOT));
                json.writeArrayFieldStart("entries");
                for (Entry entry : config.entries()) {
                    json.writeStartObject();
                    json.writeStringField("target", entry.target().value());
                    json.writeStringField("source", entry.source().value());
                    json.writeStringField("store", entry.store().value());
                    json.writeStringField("kind", entry.kind().word());
                    json.writeStringField("method", entry.method().word());
                    json.writeStringField("stage", entry.stage().word());
                    entry.attributes().owner().ifPresent(p -> write(json, "owner", p.name()));
                    entry.attributes().group().ifPresent(p -> write(json, "group", p.name()));
                    entry.attributes().mode().ifPresent(m -> write(json, "mode", m.toString()));
                    entry.home().ifPresent(h -> write(json, "user", h.user().name()));
                    json.writeStringField("origin", entry.origin().toString());
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeObjectFieldStart("diff");
                json.writeArrayFieldStart("ignore");
                for (PathGlob glob : config.diff().ignore()) {
                    json.writeString(glob.value());
                }
                json.writeEndArray();
                json.writeEndObject();
                json.writeEndObject();
            }
            out.println();
        } else {
            out.printf("%s: valid; root strategy %s; %d stores, %d entries%n", config.file(),
                    config.root().strategy().name().toLowerCase(java.util.Locale.ROOT), config.stores().size(),
                    config.entries().size());
            for (Entry entry : config.entries()) {
                out.printf("  %-9s %-40s in %-10s %-7s %-6s %s  (%s)%n", entry.kind().word(), entry.target(), entry.store(),
                        entry.method().word(), entry.stage().word(), attributes(entry), entry.origin());
            }
            if (!config.diff().ignore().isEmpty()) {
                out.printf("  diff ignores %s%n", config.diff().ignore().stream().map(PathGlob::value)
                        .collect(java.util.stream.Collectors.joining(", ")));
            }
        }
        out.flush();
        return ExitCode.OK;
    }

    private static String attributes(Entry entry) {
        return entry.attributes().owner().map(Principal::name).orElse("-") + ":"
                + entry.attributes().group().map(Principal::name).orElse("-") + " "
                + entry.attributes().mode().map(Mode::toString).orElse("-");
    }

    private static void write(JsonGenerator json, String field, String value) {
        try {
            json.writeStringField(field, value);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
