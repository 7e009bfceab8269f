package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.exec.InterruptedMigration;
import dev.lethe.exec.LiveObservation;
import dev.lethe.exec.Orphans;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.plan.Action;
import dev.lethe.plan.Plan;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "status", description = "Every entry with its state, and the orphans in the stores.")
final class StatusCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin JsonOption output;
    @Spec CommandSpec spec;

    /** One line of status: a path, its state, and what explains it. */
    record Line(AbsolutePath path, String state, String detail) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Session session = Session.open(common)) {
            Plan plan = session.plan();
            List<Line> lines = new ArrayList<>();
            for (Entry entry : session.config.entries()) {
                Line line = stateOf(entry, plan);
                if (!line.state().equals("active")) {
                    Optional<InterruptedMigration> interrupted = InterruptedMigration.of(session.fs, entry);
                    if (interrupted.isPresent()) {
                        line = interruptedLine(session, interrupted.get());
                    }
                }
                lines.add(line);
            }
            wipeFailure(common.root).ifPresent(lines::add);
            for (LiveObservation.JournalProblem problem : session.observe().journalProblems()) {
                lines.add(new Line(problem.file(), "unreadable", problem.message()));
            }
            for (Action action : plan.actions()) {
                if (action instanceof Action.Unmount unmount) {
                    lines.add(new Line(unmount.target(), "orphaned",
                            "still mounted from " + unmount.source() + " but no longer in the config; apply unmounts it"));
                }
            }
            var stores = session.config.stores().stream().map(s -> s.path()).toList();
            for (Orphans.Orphan orphan : Orphans.find(session.fs, stores, session.config.entries())) {
                lines.add(new Line(orphan.path(), "orphaned", "in store " + orphan.store() + ", named by no entry: "
                        + orphan.files() + " files, " + humanBytes(orphan.bytes()) + " (lethe never deletes it)"));
            }
            if (output.json) {
                try (JsonGenerator json = Json.on(out)) {
                    json.writeStartArray();
                    for (Line line : lines) {
                        json.writeStartObject();
                        json.writeStringField("path", line.path().value());
                        json.writeStringField("state", line.state());
                        json.writeStringField("detail", line.detail());
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                }
                out.println();
            } else {
                for (Line line : lines) {
                    out.printf("%-17s %-40s %s%n", line.state(), line.path(), line.detail());
                }
            }
            out.flush();
            boolean healthy = lines.stream().allMatch(l -> l.state().equals("active") || l.state().equals("pending")
                    || l.state().equals("orphaned"));
            return healthy ? ExitCode.OK : ExitCode.ENTRIES_FAILED;
        }
    }

    /** Where the initrd wipe leaves its reason when it failed (common.sh), on the root's /run. */
    static final String WIPE_FAILED = "run/lethe/wipe-failed";

    /**
     * A failed initrd wipe left the machine on the old root, not forgotten: loud here too, besides the
     * kernel log and the failed unit, because nothing else on a booted machine would show it.
     */
    static Optional<Line> wipeFailure(Path root) throws java.io.IOException {
        Path mark = root.resolve(WIPE_FAILED);
        if (!Files.isRegularFile(mark, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        String reason = Files.readString(mark, StandardCharsets.UTF_8).strip();
        return Optional.of(new Line(AbsolutePath.of("/"), "wipe-failed", "this boot's initrd wipe FAILED ("
                + (reason.isEmpty() ? "no reason recorded" : reason) + "; /" + WIPE_FAILED + "): the machine runs on "
                + "the old root, which was not forgotten. Fix that; the next boot wipes it"));
    }

    /** A migration killed midway waits for the next apply: say so, and how much its copy holds. */
    static Line interruptedLine(Session session, InterruptedMigration found) {
        String held = found.files() + (found.files() == 1 ? " file, " : " files, ") + humanBytes(found.bytes())
                + " in " + session.fs.hostPath(found.copy());
        return new Line(found.target(), "interrupted", found.journaled()
                ? "a migration into the store was interrupted after its copy was verified (" + held
                        + "); apply finishes it"
                : "a migration into the store was interrupted while copying (" + held + " so far); the original is "
                        + "whole, and apply discards that copy and migrates again");
    }

    /** An entry's state follows from what apply would still do for it. */
    static Line stateOf(Entry entry, Plan plan) {
        List<Action> mine = plan.actions().stream().filter(a -> a.entry().equals(entry.target())
                && !(a instanceof Action.Unmount)).toList();
        String how = entry.method() == dev.lethe.model.Method.BIND ? "bind-mounted from " : "symlinked to ";
        if (mine.isEmpty()) {
            return new Line(entry.target(), "active", how + entry.source());
        }
        for (Action action : mine) {
            if (action instanceof Action.Refuse refuse) {
                return new Line(entry.target(), refuse.problem().word(), refuse.reason());
            }
        }
        if (mine.stream().allMatch(a -> a instanceof Action.AwaitCreation)) {
            return new Line(entry.target(), "pending", "not created yet; captured into " + entry.source()
                    + " by the next apply after a program creates it");
        }
        if (mine.stream().allMatch(a -> a instanceof Action.SetOwnership)) {
            Action.SetOwnership set = (Action.SetOwnership) mine.getFirst();
            return new Line(entry.target(), "wrong-owner-mode", set.path() + " is " + set.from() + ", the config says "
                    + set.to() + "; apply fixes it");
        }
        return new Line(entry.target(), "missing", "not in place; apply would " + mine.stream()
                .filter(Action::changes).map(ActionText::verb).distinct().toList());
    }

    static String humanBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format("%.1f %s", value, units[unit]);
    }
}
