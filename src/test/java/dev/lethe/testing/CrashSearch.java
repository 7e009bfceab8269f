package dev.lethe.testing;

import java.util.Map;

/**
 * Finds crash points ({@code LETHE_TEST_CRASH_AT=N}) by what a crash there leaves behind, instead
 * of by counting mutations by hand: the counts change with every change to the engine.
 */
public final class CrashSearch {
    private CrashSearch() {}

    /** Builds a fresh machine with its config and data, ready for {@code apply}. */
    @FunctionalInterface
    public interface Scenario {
        Machine build() throws Exception;
    }

    /** Something a crashed (or finished) apply left on a machine. */
    @FunctionalInterface
    public interface Condition {
        boolean holds(Machine m) throws Exception;
    }

    /**
     * Runs {@code apply} in its own process on {@code m}, killed with SIGKILL just before its
     * {@code n}-th mutation. Returns true if it was killed, false if it finished before that point.
     */
    public static boolean crash(Machine m, long n) throws Exception {
        Machine.Run run = m.letheProcess(Map.of("LETHE_TEST_CRASH_AT", Long.toString(n)), "apply");
        if (run.exit() == 137) {
            return true;
        }
        if (run.exit() != 0) {
            throw new AssertionError("apply with a crash at mutation " + n + " exited " + run.exit() + ": " + run.all());
        }
        return false;
    }

    /**
     * The smallest N at which a crash, on a fresh machine of {@code scenario}, leaves a machine
     * where {@code reached} holds. {@code reached} must be monotone in N (once reached, it holds
     * for every later crash point, and when apply runs to its end), so a binary search finds it.
     */
    public static long first(Scenario scenario, Condition reached) throws Exception {
        long low = 1;
        long high = 16;
        while (!holdsAfterCrash(scenario, high, reached)) {
            low = high + 1;
            high *= 2;
            if (high > 1_000_000) {
                throw new AssertionError("no crash point reaches the condition");
            }
        }
        while (low < high) {
            long middle = (low + high) / 2;
            if (holdsAfterCrash(scenario, middle, reached)) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return low;
    }

    private static boolean holdsAfterCrash(Scenario scenario, long n, Condition reached) throws Exception {
        try (Machine m = scenario.build()) {
            crash(m, n);
            return reached.holds(m);
        }
    }
}
