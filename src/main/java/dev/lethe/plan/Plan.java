package dev.lethe.plan;

import java.util.List;

/** The ordered actions that would bring the machine to the config, as observed at one moment. */
public record Plan(List<Action> actions) {
    public Plan {
        actions = List.copyOf(actions);
    }

    public boolean changesNothing() {
        return actions.stream().noneMatch(Action::changes);
    }

    public List<Action.Refuse> refusals() {
        return actions.stream().filter(a -> a instanceof Action.Refuse).map(a -> (Action.Refuse) a).toList();
    }
}
