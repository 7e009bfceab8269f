package dev.lethe.model;

import java.util.Objects;
import java.util.Optional;

/**
 * One path to keep, normalised: every default has been applied and every name resolved.
 *
 * @param target     where the path lives on the root ("/var/log", "/home/alice/.ssh")
 * @param store      the store that keeps it ("/persist")
 * @param kind       directory or file
 * @param method     bind mount or symlink
 * @param stage      initrd or system
 * @param attributes owner, group and mode of the path itself
 * @param parents    owner, group and mode for parent directories lethe creates (always complete)
 * @param home       for a user's entry, that user's home directory; parents at or below it
 *                   default to the user
 * @param origin     where the config declared it
 */
public record Entry(
        AbsolutePath target,
        AbsolutePath store,
        Kind kind,
        Method method,
        Stage stage,
        Attributes attributes,
        Attributes parents,
        Optional<UserHome> home,
        Origin origin) {

    public Entry {
        Objects.requireNonNull(target);
        Objects.requireNonNull(store);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(method);
        Objects.requireNonNull(stage);
        Objects.requireNonNull(attributes);
        Objects.requireNonNull(home);
        Objects.requireNonNull(origin);
        if (!parents.isComplete()) {
            throw new IllegalArgumentException("parent attributes must be complete: " + parents);
        }
    }

    /** Where the data lives in the store: the target placed under the store path. */
    public AbsolutePath source() {
        return target.under(store);
    }

    /** The user's home an entry belongs to, with that user's ids. */
    public record UserHome(Principal user, Principal group, AbsolutePath path) {}
}
