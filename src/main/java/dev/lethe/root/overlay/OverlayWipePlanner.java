package dev.lethe.root.overlay;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy.WipeRequest;
import dev.lethe.root.WipePlan;
import dev.lethe.root.WipeStep;
import dev.lethe.root.OverlayStep;
import dev.lethe.root.overlay.State.Boot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The overlay wipe as a pure function of what the upper directory holds: the steps, in order, and the
 * archive they make. Re-planned from the disk after a crash, it gives the steps still to take, so the
 * executor never decides anything (docs/strategies.md, "Overlay internals", has the resume rules).
 */
final class OverlayWipePlanner {

    private OverlayWipePlanner() {}

    /**
     * @param steps   in order; with nothing to do, the one step that says why
     * @param archive the archive the steps make, or (with nothing to do) the newest one
     */
    record Plan(List<OverlayStep> steps, Optional<ArchiveRef> archive) {
        Plan {
            steps = List.copyOf(steps);
        }

        WipePlan asWipePlan() {
            return new WipePlan(List.<WipeStep>copyOf(steps), archive);
        }
    }

    /**
     * @param upper the host path of the upper directory, as the steps name it
     * @throws RootException if {@code .current.new} is something lethe never makes (nothing is planned around it)
     */
    static Plan plan(String upper, State state, WipeRequest request) throws RootException {
        Optional<Boot> previous = state.currentBoot();
        if (previous.isPresent() && previous.get().fresh()) {
            // Never mounted (a second wipe without a boot in between, or a crash right after a wipe): already fresh.
            return new Plan(List.of(new OverlayStep.KeepFreshCurrent(previous.get().name().id(), request.degraded())),
                    state.archives().stream().findFirst());
        }
        List<OverlayStep> steps = new ArrayList<>();
        if (request.degraded() && previous.isPresent() && !previous.get().degraded()) {
            steps.add(new OverlayStep.MarkDegraded(upper, previous.get().name().id()));
        }
        if (!state.bootsMade()) {
            steps.add(new OverlayStep.MakeBoots(upper));
        }
        BootName next;
        Optional<Boot> pending = state.pending();
        if (pending.isPresent()) {
            next = pending.get().name();  // the interrupted wipe's name, not a second new directory
            steps.add(new OverlayStep.CompleteBootDirectory(upper, next.id()));
        } else {
            next = BootName.after(request.now(), state.newest());
            BootName clock = BootName.at(request.now());
            if (!next.equals(clock)) {
                steps.add(new OverlayStep.NameAfterNewest(next.id(), clock.id()));
            }
            steps.add(new OverlayStep.MakeBootDirectory(upper, next.id()));
        }
        switch (state.currentNew()) {
            case NOTHING -> { }
            case LINK -> steps.add(new OverlayStep.RemoveStaleCurrentNew(upper));
            case FOREIGN -> throw new RootException(upper + "/" + Layout.CURRENT_NEW + " is not a symbolic link, so not "
                    + "what lethe leaves there when interrupted; move it away, then wipe again");
        }
        steps.add(new OverlayStep.SwitchCurrent(upper, next.id(), previous.map(p -> p.name().id())));
        Optional<ArchiveRef> archive = previous.map(p -> new ArchiveRef(p.name().id(), p.name().created(),
                p.degraded() || request.degraded()));
        return new Plan(steps, archive);
    }
}
