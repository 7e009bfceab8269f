package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.config.ConfigError;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

/** A pretty-printing JSON writer on a command's output; loaded only when --json is asked for. */
final class Json {
    private Json() {}

    /**
     * The version of every enveloped --json document ({"version": 1, ...}): a consumer checks it
     * before reading the rest. It changes only when a field changes meaning or goes away; new
     * fields may appear in the same version.
     */
    static final int VERSION = 1;

    static JsonGenerator on(PrintWriter out) throws IOException {
        JsonGenerator json = new JsonFactory().createGenerator(out);
        json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        json.useDefaultPrettyPrinter();
        return json;
    }

    /** Opens an enveloped document: the object and its version field; the caller writes the rest and closes it. */
    static JsonGenerator envelope(PrintWriter out) throws IOException {
        JsonGenerator json = on(out);
        json.writeStartObject();
        json.writeNumberField("version", VERSION);
        return json;
    }

    /** Closes an enveloped document and ends its line. */
    static void close(JsonGenerator json, PrintWriter out) throws IOException {
        json.writeEndObject();
        json.close();
        out.println();
        out.flush();
    }

    /** An invalid config, as any command given --json reports it: {"version":1,"valid":false,"errors":[...]}. */
    static void configErrors(PrintWriter out, List<ConfigError> errors) throws IOException {
        JsonGenerator json = envelope(out);
        json.writeBooleanField("valid", false);
        json.writeArrayFieldStart("errors");
        for (ConfigError error : errors) {
            json.writeStartObject();
            json.writeStringField("file", error.origin().file());
            if (error.origin().line() > 0) {
                json.writeNumberField("line", error.origin().line());
            }
            if (error.path() != null) {
                json.writeStringField("path", error.path());
            }
            json.writeStringField("message", error.message());
            json.writeEndObject();
        }
        json.writeEndArray();
        close(json, out);
    }
}
