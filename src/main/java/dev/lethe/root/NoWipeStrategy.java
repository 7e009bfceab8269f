package dev.lethe.root;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.diff.Change;
import dev.lethe.diff.Filter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The strategies with nothing to wipe: tmpfs (the root vanishes with the power) and none
 * (adoption mode, the root is kept). They have no archives; {@link #wipe} only explains.
 */
public final class NoWipeStrategy implements RootStrategy {
    private final String name;
    private final String explanation;

    /** The root is a tmpfs: the power forgets it. */
    public static NoWipeStrategy tmpfs() {
        return new NoWipeStrategy("tmpfs",
                "the root is a tmpfs: it is already forgotten at every boot, so there is nothing to wipe");
    }

    /** Adoption mode: entries are persisted, the root is kept. */
    public static NoWipeStrategy none() {
        return new NoWipeStrategy("none",
                "strategy \"none\" is adoption mode: lethe persists your entries but never wipes the root. "
                        + "Choose btrfs, zfs, overlay or tmpfs in [root] to start forgetting");
    }

    /** No blank state exists: the adoption-mode diff against the package database applies. */
    @Override
    public Optional<List<Change>> diff(Path hostRoot, Filter filter) {
        return Optional.empty();
    }

    private NoWipeStrategy(String name, String explanation) {
        this.name = name;
        this.explanation = explanation;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean wipes() {
        return false;
    }

    @Override
    public void check() {
        // Nothing on the machine to check: there is no device, no blank state.
    }

    @Override
    public WipePlan planWipe(WipeRequest request) {
        return new WipePlan(List.of(new WipeStep.NothingToWipe(explanation)), Optional.empty());
    }

    @Override
    public WipeResult wipe(WipeRequest request) {
        return new WipeResult(null, planWipe(request).steps());
    }

    @Override
    public List<ArchiveRef> archives() {
        return List.of();
    }

    @Override
    public long sizeOf(ArchiveRef archive) {
        return -1;
    }

    @Override
    public List<Change> diffArchive(ArchiveRef archive, Filter filter) throws IOException {
        throw new RootException("strategy " + name + " keeps no archives");
    }

    @Override
    public <T> T read(ArchiveRef archive, ArchiveReader<T> reader) throws IOException {
        throw new RootException("strategy " + name + " keeps no archives");
    }

    @Override
    public void destroy(ArchiveRef archive) throws IOException {
        throw new RootException("strategy " + name + " keeps no archives");
    }
}
