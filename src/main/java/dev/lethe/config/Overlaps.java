package dev.lethe.config;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.model.Origin;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Checks between entries and stores: every path is persisted by exactly one entry, no entry holds
 * another (which store would the inner one live in?), and stores and entries stay apart.
 * Each error is reported at the later declaration and names the earlier one.
 */
final class Overlaps {

    private Overlaps() {}

    static void check(Source source, List<StoreConfig> stores, List<Entry> entries) {
        Map<AbsolutePath, StoreConfig> storeAt = new HashMap<>();
        for (StoreConfig store : byLine(stores, StoreConfig::origin)) {
            StoreConfig first = storeAt.putIfAbsent(store.path(), store);
            if (first != null) {
                source.error(store.origin().line(), store.path().value(),
                        "this store is declared twice, also at " + first.origin() + "; merge the two [[store]] tables");
            }
        }
        for (StoreConfig store : stores) {
            for (AbsolutePath outer : store.path().ancestors()) {
                StoreConfig holder = storeAt.get(outer);
                if (holder != null) {
                    source.error(store.origin().line(), store.path().value(), "this store is inside the store " + outer
                            + " (declared at " + holder.origin() + "); stores must not hold each other: move one of them");
                }
            }
        }

        List<Entry> inFileOrder = byLine(entries, Entry::origin);
        Map<AbsolutePath, Entry> entryAt = new HashMap<>();
        for (Entry entry : inFileOrder) {
            Entry first = entryAt.putIfAbsent(entry.target(), entry);
            if (first != null) {
                source.error(entry.origin().line(), entry.target().value(),
                        "declared twice, also declared at " + first.origin() + "; remove one of them");
            }
        }
        Map<AbsolutePath, AbsolutePath> outerOf = nearestOuter(entryAt.keySet());
        for (Entry entry : inFileOrder) {
            // Only the nearest outer entry: a chain of n nested entries gives n - 1 errors, not n²/2.
            AbsolutePath outer = outerOf.get(entry.target());
            if (outer != null) {
                Entry holder = entryAt.get(outer);
                source.error(entry.origin().line(), entry.target().value(), "is inside " + outer + ", declared at "
                        + holder.origin() + "; nested persistence is ambiguous (the outer entry already keeps this path): keep only one of the two");
            }
            StoreConfig store = stores.stream().filter(s -> entry.target().startsWith(s.path()))
                    .max(Comparator.comparingInt(s -> s.path().value().length())).orElse(null);
            if (store != null) {
                source.error(entry.origin().line(), entry.target().value(), "is inside the store " + store.path()
                        + " (declared at " + store.origin() + "); a store's content persists already: remove this entry");
            }
        }
        for (StoreConfig store : stores) {
            for (AbsolutePath outer : store.path().ancestors()) {
                Entry holder = entryAt.get(outer);
                if (holder != null) {
                    source.error(store.origin().line(), store.path().value(), "this store is inside the entry " + outer
                            + " (declared at " + holder.origin() + "); a store must not be persisted into itself: move the store or drop the entry");
                }
            }
        }
    }

    /**
     * For each path that lies inside another of {@code paths}, the nearest one. In component order a
     * path's descendants follow it directly, so one pass with a stack of the open ancestors finds
     * them: no walk up every path's ancestors, which is quadratic in the depth of a chain.
     */
    private static Map<AbsolutePath, AbsolutePath> nearestOuter(java.util.Collection<AbsolutePath> paths) {
        Map<AbsolutePath, AbsolutePath> outer = new HashMap<>();
        java.util.ArrayDeque<AbsolutePath> open = new java.util.ArrayDeque<>();
        for (AbsolutePath path : paths.stream().sorted(Overlaps::componentOrder).toList()) {
            while (!open.isEmpty() && !path.startsWith(open.peek())) {
                open.pop();
            }
            if (!open.isEmpty()) {
                outer.put(path, open.peek());
            }
            open.push(path);
        }
        return outer;
    }

    /** AbsolutePath's component order ("/a" < "/a/b" < "/a-b"), without splitting: '/' sorts before every other character. */
    private static int componentOrder(AbsolutePath a, AbsolutePath b) {
        String x = a.value();
        String y = b.value();
        for (int i = 0; i < Math.min(x.length(), y.length()); i++) {
            char c = x.charAt(i);
            char d = y.charAt(i);
            if (c != d) {
                return c == '/' ? -1 : d == '/' ? 1 : Character.compare(c, d);
            }
        }
        return Integer.compare(x.length(), y.length());
    }

    private static <T> List<T> byLine(List<T> items, Function<T, Origin> origin) {
        return items.stream().sorted(Comparator.comparingInt(item -> origin.apply(item).line())).toList();
    }
}
