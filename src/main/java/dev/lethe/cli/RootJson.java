package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.archive.ArchiveRef;
import dev.lethe.archive.Retention;
import dev.lethe.root.Pruning;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

/** wipe --json and archive prune --json: what the root strategy did, or would do, as one document. */
final class RootJson {
    private RootJson() {}

    /**
     * {"version":1,"strategy":..,"done":..,"degraded":..,"steps":[sentences],"archive"?,"note"?}: done is
     * false for --dry-run; archive is the one a wipe made; note says what a strategy that never wipes means.
     */
    static void wipe(PrintWriter out, String strategy, boolean done, boolean degraded, List<String> steps,
                     String archive, String note) throws IOException {
        JsonGenerator json = Json.envelope(out);
        json.writeStringField("strategy", strategy);
        json.writeBooleanField("done", done);
        json.writeBooleanField("degraded", degraded);
        json.writeArrayFieldStart("steps");
        for (String step : steps) {
            json.writeString(step);
        }
        json.writeEndArray();
        if (archive != null) {
            json.writeStringField("archive", archive);
        }
        if (note != null) {
            json.writeStringField("note", note);
        }
        Json.close(json, out);
    }

    /** {"version":1,"done":..,"removed":[{id,created,degraded}],"kept":[{id,created,degraded,reasons}]}. */
    static void prune(PrintWriter out, Pruning.Outcome outcome, boolean done) throws IOException {
        JsonGenerator json = Json.envelope(out);
        json.writeBooleanField("done", done);
        json.writeArrayFieldStart("removed");
        for (ArchiveRef archive : outcome.removed()) {
            json.writeStartObject();
            archive(json, archive);
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeArrayFieldStart("kept");
        for (Retention.Kept kept : outcome.kept()) {
            json.writeStartObject();
            archive(json, kept.archive());
            json.writeArrayFieldStart("reasons");
            for (String reason : kept.reasons()) {
                json.writeString(reason);
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        json.writeEndArray();
        Json.close(json, out);
    }

    private static void archive(JsonGenerator json, ArchiveRef archive) throws IOException {
        json.writeStringField("id", archive.id());
        json.writeStringField("created", archive.created().toString());
        json.writeBooleanField("degraded", archive.degraded());
    }
}
