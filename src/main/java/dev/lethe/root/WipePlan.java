package dev.lethe.root;

import dev.lethe.archive.ArchiveRef;
import java.util.List;
import java.util.Optional;

/**
 * What a wipe does from what the disk holds now.
 *
 * @param steps   in order; with nothing to do (the root already fresh), one step that says why
 * @param archive the archive the wipe makes or finishes, or, with nothing to do, the newest one
 */
public record WipePlan(List<WipeStep> steps, Optional<ArchiveRef> archive) {
    public WipePlan {
        steps = List.copyOf(steps);
    }

    /** The sentences, in order. */
    public List<String> sentences() {
        return steps.stream().map(WipeStep::describe).toList();
    }
}
