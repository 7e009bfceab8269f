package dev.lethe.model;

import java.util.Optional;

/**
 * Owner, group and mode. A declared value is enforced on every apply; an undeclared one (empty)
 * keeps whatever the existing path has, and takes the default only when lethe creates the path.
 */
public record Attributes(Optional<Principal> owner, Optional<Principal> group, Optional<Mode> mode) {

    public static final Attributes UNDECLARED = new Attributes(Optional.empty(), Optional.empty(), Optional.empty());

    public static Attributes of(Principal owner, Principal group, Mode mode) {
        return new Attributes(Optional.of(owner), Optional.of(group), Optional.of(mode));
    }

    /** Declared values first, then {@code defaults} for what is undeclared. */
    public Attributes orElse(Attributes defaults) {
        return new Attributes(
                owner.or(defaults::owner), group.or(defaults::group), mode.or(defaults::mode));
    }

    public boolean isComplete() {
        return owner.isPresent() && group.isPresent() && mode.isPresent();
    }

    @Override
    public String toString() {
        return owner.map(Principal::name).orElse("-") + ":" + group.map(Principal::name).orElse("-")
                + " " + mode.map(Mode::toString).orElse("-");
    }
}
