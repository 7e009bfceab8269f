package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.doctor.Doctor;
import dev.lethe.doctor.Finding;
import dev.lethe.doctor.Survey;
import dev.lethe.linux.Fs;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "doctor", description = "Checks what users otherwise learn from bug reports: late stores, inactive or "
        + "hidden entries, forgotten identities, tmpfiles ages, files replaced by rename, full archive disks.")
final class DoctorCommand implements Callable<Integer> {
    /** The version of the --json document: a consumer checks it before reading the findings. */

    @Mixin CommonOptions common;
    @Mixin JsonOption output;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // The strategy is made but not checked: a finding is reported, not refused (exit 4).
        return RootSession.run(common, spec, false, (session, out) -> {
            List<Finding> findings;
            try (Fs fs = Fs.open(session.context.sys(), session.root.toString())) {
                findings = Doctor.examine(Survey.of(session.config, fs, session.root, session.strategy));
            }
            if (output.json) {
                json(out, findings);
            } else {
                text(out, findings, session.config.entries().size());
            }
            return findings.isEmpty() ? ExitCode.OK : ExitCode.ENTRIES_FAILED;
        });
    }

    static void text(PrintWriter out, List<Finding> findings, int entries) {
        if (findings.isEmpty()) {
            out.printf("No problems found (%d entries, stores, boot ordering, tmpfiles and archives checked).%n", entries);
            return;
        }
        for (Finding finding : findings) {
            out.printf("%-28s %s%n    %s%n    what to do: %s%n", finding.kind(), finding.path(), finding.problem(),
                    finding.remedy());
        }
        out.printf("%d %s.%n", findings.size(), findings.size() == 1 ? "problem" : "problems");
    }

    static void json(PrintWriter out, List<Finding> findings) throws IOException {
        try (JsonGenerator json = Json.on(out)) {
            json.writeStartObject();
            json.writeNumberField("version", Json.VERSION);
            json.writeBooleanField("healthy", findings.isEmpty());
            json.writeArrayFieldStart("findings");
            for (Finding finding : findings) {
                json.writeStartObject();
                json.writeStringField("kind", finding.kind());
                json.writeStringField("path", finding.path().value());
                json.writeStringField("problem", finding.problem());
                json.writeStringField("remedy", finding.remedy());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        out.println();
    }
}
