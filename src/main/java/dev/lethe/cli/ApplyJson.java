package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.exec.Executor;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * apply --json: the whole report once the run is over, as one document on stdout, beside the text
 * lines apply prints as it goes ({@link ApplyText}), which --json leaves out.
 */
final class ApplyJson {
    private ApplyJson() {}

    /**
     * {"version":1,"entries":n,"changes":n,"failed":n,"waiting":n,"millis":n,"actions":[...]}: each
     * action as plan --json has it, with its outcome (done, failed, skipped, waiting) and, when it
     * failed, the message. failed counts entries, as the text summary does.
     */
    static void print(PrintWriter out, Executor.Report report, int entries, long millis) throws IOException {
        JsonGenerator json = Json.envelope(out);
        json.writeNumberField("entries", entries);
        Executor.Tally tally = report.tally();
        json.writeNumberField("changes", tally.changes());
        json.writeNumberField("failed", tally.failedEntries());
        json.writeNumberField("waiting", tally.waiting());
        json.writeNumberField("millis", millis);
        json.writeArrayFieldStart("actions");
        for (Executor.Outcome outcome : report.outcomes()) {
            json.writeStartObject();
            ActionText.writeFields(outcome.action(), json);
            json.writeStringField("outcome", outcome.status().name().toLowerCase(Locale.ROOT));
            if (outcome.error().isPresent()) {
                json.writeStringField("message", outcome.error().get());
            }
            json.writeEndObject();
        }
        json.writeEndArray();
        Json.close(json, out);
    }

    /** With --json, stderr keeps lethe's one-line message when something failed; the details are in the document. */
    static void failureLine(PrintWriter err, Executor.Report report, int entries) {
        int failed = report.tally().failedEntries();
        if (failed > 0) {
            err.printf("lethe: %s: %d failed (the report on stdout names them)%n", Words.count(entries, "entry", "entries"),
                    failed);
            err.flush();
        }
    }
}
