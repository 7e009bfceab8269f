package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.exec.InterruptedMigration;
import dev.lethe.exec.LiveObservation;
import dev.lethe.exec.Orphans;
import dev.lethe.exec.StatusReport;
import dev.lethe.linux.Fs;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.model.Method;
import dev.lethe.plan.Action;
import dev.lethe.plan.EntryState;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** The status report as lines a person reads, or as JSON: a path, its state, and what explains it. */
final class StatusText {
    private StatusText() {}

    record Line(AbsolutePath path, EntryState state, String detail) {}

    static List<Line> lines(StatusReport report, Fs fs) {
        List<Line> lines = new ArrayList<>();
        for (StatusReport.EntryStatus status : report.entries()) {
            lines.add(new Line(status.entry().target(), status.state(), status.interrupted()
                    .map(found -> interrupted(found, fs)).orElseGet(() -> detail(status))));
        }
        report.wipeFailure().ifPresent(reason -> lines.add(new Line(AbsolutePath.ROOT, EntryState.WIPE_FAILED,
                "this boot's initrd wipe FAILED (" + reason + "; " + StatusReport.WIPE_FAILED + "): the machine runs on "
                        + "the old root, which was not forgotten. Fix that; the next boot wipes it")));
        for (LiveObservation.JournalProblem problem : report.journalProblems()) {
            lines.add(new Line(problem.file(), EntryState.UNREADABLE, problem.message()));
        }
        for (Action.Unmount unmount : report.leftMounted()) {
            lines.add(new Line(unmount.target(), EntryState.ORPHANED,
                    "still mounted from " + unmount.source() + " but no longer in the config; apply unmounts it"));
        }
        for (Orphans.Orphan orphan : report.orphans()) {
            lines.add(new Line(orphan.path(), EntryState.ORPHANED, "in store " + orphan.store() + ", named by no entry: "
                    + orphan.files() + " files, " + Words.bytes(orphan.bytes()) + " (lethe never deletes it)"));
        }
        return lines;
    }

    static void print(PrintWriter out, List<Line> lines, boolean asJson) throws IOException {
        if (!asJson) {
            Table table = new Table("STATE", "PATH", "DETAIL");
            lines.forEach(line -> table.row(line.state().word(), line.path(), line.detail()));
            table.print(out);
            return;
        }
        try (JsonGenerator json = Json.on(out)) {
            json.writeStartArray();
            for (Line line : lines) {
                json.writeStartObject();
                json.writeStringField("path", line.path().value());
                json.writeStringField("state", line.state().word());
                json.writeStringField("detail", line.detail());
                json.writeEndObject();
            }
            json.writeEndArray();
        }
        out.println();
    }

    /** What the state of an entry stands for, and what apply does about it. */
    private static String detail(StatusReport.EntryStatus status) {
        Entry entry = status.entry();
        List<Action> actions = status.actions();
        return switch (status.state()) {
            case ACTIVE -> (entry.method() == Method.BIND ? "bind-mounted from " : "symlinked to ") + entry.source();
            case PENDING -> "not created yet; captured into " + entry.source()
                    + " by the next apply after a program creates it";
            case WRONG_OWNER_MODE -> {
                Action.SetOwnership set = (Action.SetOwnership) actions.getFirst();
                yield set.path() + " is " + set.from() + ", the config says " + set.to() + "; apply fixes it";
            }
            case CONFLICT, SHADOWED, UNSAFE, WRONG_TYPE, STORE_MISSING -> actions.stream()
                    .filter(a -> a instanceof Action.Refuse).map(a -> ((Action.Refuse) a).reason()).findFirst().orElseThrow();
            case MISSING, INTERRUPTED, UNREADABLE, ORPHANED, WIPE_FAILED -> "not in place; apply would "
                    + actions.stream().filter(Action::changes).map(ActionText::verb).distinct().toList();
        };
    }

    /** A migration killed midway waits for the next apply: say so, and how much its copy holds. */
    private static String interrupted(InterruptedMigration found, Fs fs) {
        String held = found.files() + (found.files() == 1 ? " file, " : " files, ") + Words.bytes(found.bytes())
                + " in " + fs.hostPath(found.copy());
        return found.journaled()
                ? "a migration into the store was interrupted after its copy was verified (" + held + "); apply finishes it"
                : "a migration into the store was interrupted while copying (" + held + " so far); the original is "
                        + "whole, and apply discards that copy and migrates again";
    }
}
