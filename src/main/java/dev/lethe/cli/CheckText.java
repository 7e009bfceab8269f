package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.config.Config;
import dev.lethe.model.Entry;
import dev.lethe.model.PathGlob;
import java.io.IOException;
import java.io.PrintWriter;

/** A valid config as check prints it: its normalised entries, as text or JSON. */
final class CheckText {
    private CheckText() {}

    static void print(PrintWriter out, Config config, boolean asJson) throws IOException {
        if (asJson) {
            try (JsonGenerator json = Json.on(out)) {
                json.writeStartObject();
                // version and valid came after the rest: the fields a script already reads keep their meaning.
                json.writeNumberField("version", Json.VERSION);
                json.writeBooleanField("valid", true);
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
            out.printf("%s: valid; root strategy %s; %s, %s%n", config.file(),
                    config.root().strategy().name().toLowerCase(java.util.Locale.ROOT),
                    Words.count(config.stores().size(), "store", "stores"),
                    Words.count(config.entries().size(), "entry", "entries"));
            for (Entry entry : config.entries()) {
                out.printf("  %-9s %-40s in %-10s %-7s %-6s %s  (%s)%n", entry.kind().word(), entry.target(), entry.store(),
                        entry.method().word(), entry.stage().word(), attributes(entry), entry.origin());
            }
            if (!config.diff().ignore().isEmpty()) {
                out.printf("  diff ignores %s%n", config.diff().ignore().stream().map(PathGlob::value)
                        .collect(java.util.stream.Collectors.joining(", ")));
            }
        }
    }

    /** "root:adm 0700" when all are declared, else what is ("mode 0700"), else that the path keeps what it has. */
    private static String attributes(Entry entry) {
        var declared = entry.attributes();
        if (declared.isComplete()) {
            return declared.owner().get().name() + ":" + declared.group().get().name() + " " + declared.mode().get();
        }
        java.util.List<String> parts = new java.util.ArrayList<>();
        declared.owner().ifPresent(p -> parts.add("owner " + p.name()));
        declared.group().ifPresent(p -> parts.add("group " + p.name()));
        declared.mode().ifPresent(m -> parts.add("mode " + m));
        return parts.isEmpty() ? "owner/mode as found" : String.join(", ", parts);
    }

    private static void write(JsonGenerator json, String field, String value) {
        try {
            json.writeStringField(field, value);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
