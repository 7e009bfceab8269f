package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.model.AbsolutePath;
import dev.lethe.plan.Action;
import dev.lethe.plan.Plan;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "plan", description = "Print the actions apply would take now, changing nothing.")
final class PlanCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin JsonOption output;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return Session.run(common, spec, (session, out) -> {
            Plan plan = session.plan();
            if (output.json) {
                printJson(out, plan, session.config.file(), session.rootDirectory);
            } else {
                printText(out, plan, session.config.entries().size());
            }
            return plan.refusals().isEmpty() ? ExitCode.OK : ExitCode.ENTRIES_FAILED;
        });
    }

    /** The plan as one JSON object: config, root, whether anything would change, and the actions in order. */
    static void printJson(PrintWriter out, Plan plan, String configFile, String root) throws java.io.IOException {
        try (JsonGenerator json = Json.on(out)) {
            json.writeStartObject();
            json.writeStringField("config", configFile);
            json.writeStringField("root", root);
            json.writeBooleanField("changes", !plan.changesNothing());
            json.writeArrayFieldStart("actions");
            for (Action action : plan.actions()) {
                ActionText.writeJson(action, json);
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        out.println();
    }

    static void printText(PrintWriter out, Plan plan, int entries) {
        if (plan.changesNothing() && plan.refusals().isEmpty()) {
            long waiting = plan.actions().stream().filter(a -> a instanceof Action.AwaitCreation).count();
            out.printf("Nothing to do: %d entries in place%s.%n", entries - waiting,
                    waiting == 0 ? "" : ", " + waiting + " waiting for a program to create them");
        }
        Map<AbsolutePath, List<Action>> byEntry = new LinkedHashMap<>();
        for (Action action : plan.actions()) {
            byEntry.computeIfAbsent(action.entry(), k -> new java.util.ArrayList<>()).add(action);
        }
        for (var group : byEntry.entrySet()) {
            out.println(group.getKey());
            for (Action action : group.getValue()) {
                out.printf("  %-8s %s%n", ActionText.verb(action), ActionText.describe(action));
            }
        }
    }
}
