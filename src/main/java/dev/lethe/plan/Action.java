package dev.lethe.plan;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Kind;
import java.io.IOException;

/**
 * One step of a plan. Every action names the entry it serves ({@link #entry()}, the entry's
 * target) so that a failure stops that entry's remaining steps and no other entry's.
 */
public sealed interface Action {

    AbsolutePath entry();

    /**
     * Does this action by the method of {@code steps} made for its kind. The executor runs actions
     * this way rather than by a pattern {@code switch}, with the same guarantee (a new action does
     * not compile until {@link Steps} has its method, and then no executor compiles until it does
     * it), because JDK 25's AOT cache does not keep a type switch's call site: every boot would spin
     * its class, and start the class-file API to do so, ~4 ms (docs/performance.md). Code off the
     * boot path switches over actions.
     */
    <R> R runOn(Steps<R> steps) throws IOException;

    /** One method per kind of action: what an executor does for it. */
    interface Steps<R> {
        R makeDirectory(MakeDirectory action) throws IOException;

        R makeFile(MakeFile action) throws IOException;

        R setOwnership(SetOwnership action) throws IOException;

        R migrate(Migrate action) throws IOException;

        R resumeMigration(ResumeMigration action) throws IOException;

        R bindMount(BindMount action) throws IOException;

        R removeEmpty(RemoveEmpty action) throws IOException;

        R makeSymlink(MakeSymlink action) throws IOException;

        R unmount(Unmount action) throws IOException;

        R awaitCreation(AwaitCreation action) throws IOException;

        R refuse(Refuse action) throws IOException;
    }

    /** Which side of an entry a path is on, for messages. */
    enum Side { STORE, TARGET }

    /** Create a missing directory (a parent, or the entry itself) with this owner and mode. */
    record MakeDirectory(AbsolutePath entry, AbsolutePath path, Side side, Ownership ownership) implements Action {
        @Override public <R> R runOn(Steps<R> steps) throws IOException { return steps.makeDirectory(this); }
    }

    /** Create an empty file for a file entry to be mounted on. */
    record MakeFile(AbsolutePath entry, AbsolutePath path, Side side, Ownership ownership) implements Action {
        @Override public <R> R runOn(Steps<R> steps) throws IOException { return steps.makeFile(this); }
    }

    /** Set the declared owner, group and mode on an existing path in the store. */
    record SetOwnership(AbsolutePath entry, AbsolutePath path, Ownership from, Ownership to) implements Action {
        @Override public <R> R runOn(Steps<R> steps) throws IOException { return steps.setOwnership(this); }
    }

    /**
     * Move the data at {@code from} (the target) into the store at {@code to}, leaving {@code from}
     * empty: a rename on one filesystem, otherwise a verified copy, then removal of the original.
     */
    record Migrate(AbsolutePath entry, AbsolutePath from, AbsolutePath to, Kind kind) implements Action {
        @Override public <R> R runOn(Steps<R> steps) throws IOException { return steps.migrate(this); }
    }

    /** Finish a migration whose verified copy was made before lethe was interrupted. */
    record ResumeMigration(AbsolutePath entry, AbsolutePath from, AbsolutePath to, Kind kind) implements Action {
        @Override public <R> R runOn(Steps<R> steps) throws IOException { return steps.resumeMigration(this); }
    }

    /** Bind-mount the store path onto the target. */
    record BindMount(AbsolutePath entry, AbsolutePath source, AbsolutePath target, Kind kind) implements Action {
        @Override public <R> R runOn(Steps<R> steps) throws IOException { return steps.bindMount(this); }
    }

    /** Remove an empty directory or empty file at the target, to put a symlink there. */
    record RemoveEmpty(AbsolutePath entry, AbsolutePath path, Kind kind) implements Action {
        @Override public <R> R runOn(Steps<R> steps) throws IOException { return steps.removeEmpty(this); }
    }

    /** Create a symlink at the target pointing to the store path. */
    record MakeSymlink(AbsolutePath entry, AbsolutePath link, AbsolutePath pointsTo) implements Action {
        @Override public <R> R runOn(Steps<R> steps) throws IOException { return steps.makeSymlink(this); }
    }

    /** Unmount a store mount whose entry is no longer in the config; its data stays in the store. */
    record Unmount(AbsolutePath entry, AbsolutePath source, AbsolutePath target) implements Action {
        @Override public <R> R runOn(Steps<R> steps) throws IOException { return steps.unmount(this); }
    }

    /**
     * A file entry that exists on neither side: nothing can be mounted yet. When a program creates
     * the file, the next apply moves it into the store and mounts it.
     */
    record AwaitCreation(AbsolutePath entry, AbsolutePath target, AbsolutePath source) implements Action {
        @Override public <R> R runOn(Steps<R> steps) throws IOException { return steps.awaitCreation(this); }
    }

    /** The entry cannot be applied safely; the reason says why and what to do. */
    record Refuse(AbsolutePath entry, Problem problem, String reason) implements Action {
        @Override public <R> R runOn(Steps<R> steps) throws IOException { return steps.refuse(this); }
    }

    /** Why an entry was refused. */
    enum Problem {
        /** Both the target and the store side hold data. */
        CONFLICT,
        /** Another mount already sits on the target. */
        SHADOWED,
        /** A symbolic link, or a file where a directory should be, is in the way. */
        UNSAFE,
        /** The target or store side is of another type than the entry declares. */
        WRONG_TYPE,
        /** The store directory does not exist. */
        STORE_MISSING;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** Owner, group and mode as numbers. */
    record Ownership(int uid, int gid, int mode) {
        // equals and hashCode written out, as the record's own would be: the generated ones are
        // bootstrapped through java.lang.invoke at their first call, which every boot paid
        // (docs/performance.md, start-up lever by lever). RecordEqualityTest holds them to it.
        @Override
        public boolean equals(Object other) {
            return other instanceof Ownership o && uid == o.uid && gid == o.gid && mode == o.mode;
        }

        @Override
        public int hashCode() {
            return (uid * 31 + gid) * 31 + mode;
        }

        @Override
        public String toString() {
            return uid + ":" + gid + " " + String.format("%04o", mode);
        }
    }

    /** True for actions that change something (everything but waiting and refusing). */
    default boolean changes() {
        return !(this instanceof AwaitCreation) && !(this instanceof Refuse);
    }
}
