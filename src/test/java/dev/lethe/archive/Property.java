package dev.lethe.archive;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * A small property-based check: a check runs on many generated cases; on failure the case is shrunk
 * greedily and the smallest failing one is reported with the seed that reproduces it. Deterministic:
 * case i of a run is made from seed {@code lethe.property.seed + i}, so CI and a laptop see the same
 * cases. {@code -Dlethe.property.seed=S -Dlethe.property.tries=1} reruns one case; more tries search
 * further.
 */
final class Property {

    static final long SEED = Long.getLong("lethe.property.seed", 20261128L);
    static final int TRIES = Integer.getInteger("lethe.property.tries", 1000);

    /** How many failing-or-not candidates shrinking may try before it reports what it has. */
    private static final int SHRINK_BUDGET = 20_000;

    private Property() {}

    /** The cases of a run, in order. */
    static <T> Stream<T> cases(Function<RandomGenerator, T> generator) {
        return Stream.iterate(0, i -> i < TRIES, i -> i + 1).map(i -> generator.apply(new SplittableRandom(SEED + i)));
    }

    static <T> void forAll(Function<RandomGenerator, T> generator, Function<T, Stream<T>> shrinks, Consumer<T> check) {
        for (int i = 0; i < TRIES; i++) {
            long seed = SEED + i;
            T value = generator.apply(new SplittableRandom(seed));
            Throwable failure = failureOf(check, value);
            if (failure != null) {
                T smallest = value;
                int budget = SHRINK_BUDGET;
                boolean shrunk = true;
                while (shrunk && budget > 0) {
                    shrunk = false;
                    for (T candidate : (Iterable<T>) shrinks.apply(smallest)::iterator) {
                        if (--budget <= 0) {
                            break;
                        }
                        Throwable f = failureOf(check, candidate);
                        if (f != null) {
                            smallest = candidate;
                            failure = f;
                            shrunk = true;
                            break;
                        }
                    }
                }
                throw new AssertionError("falsified by case " + i + " (rerun it alone with -Dlethe.property.seed="
                        + seed + " -Dlethe.property.tries=1); smallest failing case found:\n" + smallest
                        + "\n" + failure.getMessage(), failure);
            }
        }
    }

    private static <T> Throwable failureOf(Consumer<T> check, T value) {
        try {
            check.accept(value);
            return null;
        } catch (AssertionError | RuntimeException e) {
            return e;
        }
    }
}
