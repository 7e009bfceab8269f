package dev.lethe.plan;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Attributes;
import dev.lethe.model.Entry;
import dev.lethe.model.Kind;
import dev.lethe.model.Method;
import dev.lethe.model.Mode;
import dev.lethe.model.Origin;
import dev.lethe.model.Principal;
import dev.lethe.model.Stage;
import java.util.Optional;

/** Entries for planner tests, built the way the config normalises them. */
public final class Entries {
    private Entries() {}

    public static final Attributes ROOT_PARENTS = Attributes.of(Principal.ROOT_USER, Principal.ROOT_GROUP, Mode.DIRECTORY_DEFAULT);

    public static Entry directory(String target) {
        return entry(target, Kind.DIRECTORY, Method.BIND, Attributes.UNDECLARED);
    }

    public static Entry file(String target) {
        return entry(target, Kind.FILE, Method.BIND, Attributes.UNDECLARED);
    }

    public static Entry entry(String target, Kind kind, Method method, Attributes attributes) {
        return new Entry(AbsolutePath.of(target), AbsolutePath.of("/persist"), kind, method, Stage.SYSTEM,
                attributes, ROOT_PARENTS, Optional.empty(), new Origin("lethe.toml", 7));
    }

    public static Entry userDirectory(String target, String home) {
        Principal alice = new Principal("alice", 1000);
        Principal group = new Principal("alice", 1000);
        return new Entry(AbsolutePath.of(target), AbsolutePath.of("/persist"), Kind.DIRECTORY, Method.BIND, Stage.SYSTEM,
                Attributes.UNDECLARED, Attributes.of(alice, group, Mode.DIRECTORY_DEFAULT),
                Optional.of(new Entry.UserHome(alice, group, AbsolutePath.of(home))), new Origin("lethe.toml", 12));
    }
}
