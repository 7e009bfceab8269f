package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.plan.Action;
import java.io.IOException;

/** How an action reads to a person, and how it is written as JSON. */
final class ActionText {
    private ActionText() {}

    static String verb(Action action) {
        return switch (action) {
            case Action.MakeDirectory a -> "mkdir";
            case Action.MakeFile a -> "touch";
            case Action.SetOwnership a -> onlyMode(a) ? "chmod" : "chown";
            case Action.Migrate a -> "migrate";
            case Action.ResumeMigration a -> "resume";
            case Action.BindMount a -> "bind";
            case Action.RemoveEmpty a -> "remove";
            case Action.MakeSymlink a -> "symlink";
            case Action.Unmount a -> "unmount";
            case Action.AwaitCreation a -> "wait";
            case Action.Refuse a -> "refuse";
        };
    }

    static String describe(Action action) {
        return switch (action) {
            case Action.MakeDirectory a -> a.path() + " (" + side(a.side()) + ", " + a.ownership() + ")";
            case Action.MakeFile a -> a.path() + " (empty " + side(a.side()) + " file, " + a.ownership() + ")";
            case Action.SetOwnership a -> onlyMode(a)
                    ? a.path() + " from " + String.format("%04o", a.from().mode()) + " to " + String.format("%04o", a.to().mode())
                    : a.path() + " from " + a.from() + " to " + a.to();
            case Action.Migrate a -> a.from() + " -> " + a.to() + " (existing data moves into the store)";
            case Action.ResumeMigration a -> a.from() + " -> " + a.to() + " (finish an interrupted migration)";
            case Action.BindMount a -> a.source() + " on " + a.target();
            case Action.RemoveEmpty a -> a.path() + " (empty, to make room for a symlink)";
            case Action.MakeSymlink a -> a.link() + " -> " + a.pointsTo();
            case Action.Unmount a -> a.target() + " (no longer in the config; its data stays in " + a.source() + ")";
            case Action.AwaitCreation a -> a.target() + " exists on neither side yet; once a program creates it, "
                    + "the next apply moves it to " + a.source() + " and mounts it";
            case Action.Refuse a -> a.reason();
        };
    }

    /** A change of mode alone reads as the chmod it is; JSON keeps one action, "chown", with both sides whole. */
    private static boolean onlyMode(Action.SetOwnership a) {
        return a.from().uid() == a.to().uid() && a.from().gid() == a.to().gid();
    }

    private static String side(Action.Side side) {
        return side == Action.Side.STORE ? "store" : "target";
    }

    static void writeJson(Action action, JsonGenerator json) throws IOException {
        json.writeStartObject();
        writeFields(action, json);
        json.writeEndObject();
    }

    /** The action's fields, in an object the caller opened: apply --json adds its outcome after them. */
    static void writeFields(Action action, JsonGenerator json) throws IOException {
        json.writeStringField("entry", action.entry().value());
        json.writeStringField("action", action instanceof Action.SetOwnership ? "chown" : verb(action));
        switch (action) {
            case Action.MakeDirectory a -> {
                json.writeStringField("path", a.path().value());
                json.writeStringField("side", side(a.side()));
                ownership(json, "ownership", a.ownership());
            }
            case Action.MakeFile a -> {
                json.writeStringField("path", a.path().value());
                json.writeStringField("side", side(a.side()));
                ownership(json, "ownership", a.ownership());
            }
            case Action.SetOwnership a -> {
                json.writeStringField("path", a.path().value());
                ownership(json, "from", a.from());
                ownership(json, "to", a.to());
            }
            case Action.Migrate a -> {
                json.writeStringField("from", a.from().value());
                json.writeStringField("to", a.to().value());
                json.writeStringField("kind", a.kind().word());
            }
            case Action.ResumeMigration a -> {
                json.writeStringField("from", a.from().value());
                json.writeStringField("to", a.to().value());
                json.writeStringField("kind", a.kind().word());
            }
            case Action.BindMount a -> {
                json.writeStringField("source", a.source().value());
                json.writeStringField("target", a.target().value());
            }
            case Action.RemoveEmpty a -> json.writeStringField("path", a.path().value());
            case Action.MakeSymlink a -> {
                json.writeStringField("link", a.link().value());
                json.writeStringField("to", a.pointsTo().value());
            }
            case Action.Unmount a -> {
                json.writeStringField("source", a.source().value());
                json.writeStringField("target", a.target().value());
            }
            case Action.AwaitCreation a -> {
                json.writeStringField("target", a.target().value());
                json.writeStringField("source", a.source().value());
            }
            case Action.Refuse a -> {
                json.writeStringField("problem", a.problem().word());
                json.writeStringField("reason", a.reason());
            }
        }
    }

    private static void ownership(JsonGenerator json, String name, Action.Ownership ownership) throws IOException {
        json.writeObjectFieldStart(name);
        json.writeNumberField("uid", ownership.uid());
        json.writeNumberField("gid", ownership.gid());
        json.writeStringField("mode", String.format("%04o", ownership.mode()));
        json.writeEndObject();
    }
}
