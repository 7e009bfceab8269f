package dev.lethe.plan;

import dev.lethe.model.AbsolutePath;
import java.util.List;
import java.util.Locale;

/**
 * What {@code status} says of a path. The first states follow from the plan alone ({@link #of}):
 * an entry is whatever apply would still do for it. The last three are found beside the plan: a
 * migration killed midway, a journal lethe cannot read, data no entry names any more.
 */
public enum EntryState {
    /** Nothing left to do: mounted or linked as the config says. */
    ACTIVE,
    /** A file on neither side: captured by the next apply after a program creates it. */
    PENDING,
    /** In place, but the store side's owner or mode is not the declared one. */
    WRONG_OWNER_MODE,
    /** Not in place: apply would act. */
    MISSING,
    /** Refused: both sides hold data. */
    CONFLICT,
    /** Refused: another mount sits on the target. */
    SHADOWED,
    /** Refused: a link or a file is in the way. */
    UNSAFE,
    /** Refused: a side is of another type than the entry declares. */
    WRONG_TYPE,
    /** Refused: the store directory does not exist. */
    STORE_MISSING,
    /** A migration was interrupted; the next apply finishes or redoes it. */
    INTERRUPTED,
    /** A migration journal could not be read. */
    UNREADABLE,
    /** Left mounted or left in a store by an entry the config no longer has. */
    ORPHANED,
    /** Said of the root: this boot's initrd wipe failed, so the machine runs on the old, unforgotten root. */
    WIPE_FAILED;

    /** The word status prints: "wrong-owner-mode". */
    public String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A state that needs no one's attention: status exits 0 when every path is in one. */
    public boolean healthy() {
        return this == ACTIVE || this == PENDING || this == ORPHANED;
    }

    /** The actions the plan holds for one entry, the unmount of a removed entry's mount aside. */
    public static List<Action> actionsFor(AbsolutePath entry, Plan plan) {
        return plan.actions().stream().filter(a -> a.entry().equals(entry) && !(a instanceof Action.Unmount)).toList();
    }

    /** The entry's state as the plan tells it: a refusal first, then what apply would still do. */
    public static EntryState of(AbsolutePath entry, Plan plan) {
        List<Action> mine = actionsFor(entry, plan);
        if (mine.isEmpty()) {
            return ACTIVE;
        }
        for (Action action : mine) {
            if (action instanceof Action.Refuse refuse) {
                return refused(refuse.problem());
            }
        }
        if (mine.stream().allMatch(a -> a instanceof Action.AwaitCreation)) {
            return PENDING;
        }
        if (mine.stream().allMatch(a -> a instanceof Action.SetOwnership)) {
            return WRONG_OWNER_MODE;
        }
        return MISSING;
    }

    private static EntryState refused(Action.Problem problem) {
        return switch (problem) {
            case CONFLICT -> CONFLICT;
            case SHADOWED -> SHADOWED;
            case UNSAFE -> UNSAFE;
            case WRONG_TYPE -> WRONG_TYPE;
            case STORE_MISSING -> STORE_MISSING;
        };
    }
}
