package dev.lethe.config;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.tomlj.TomlTable;

/** Unknown-key checks, with a "did you mean" for typos. */
final class Keys {

    /** Edits (insert, delete, substitute, swap two neighbours) within which a typo is suggested. */
    private static final int SUGGESTION_DISTANCE = 2;

    private Keys() {}

    /** Reports every key of {@code table} that is not in {@code known}; {@code where} names the table. */
    static void requireKnown(Source source, TomlTable table, List<String> known, String where, String path) {
        for (String key : table.keySet()) {
            if (!known.contains(key)) {
                source.error(Source.lineOf(table, key), path, unknown("key '" + key + "'", key, known, where));
            }
        }
    }

    /** "unknown key 'mdoe' in an entry; did you mean 'mode'?" or the list of known words. */
    static String unknown(String what, String word, Collection<String> known, String where) {
        return "unknown " + what + " in " + where + closest(word, known)
                .map(k -> "; did you mean '" + k + "'?")
                .orElse("; the known ones are " + String.join(", ", known));
    }

    /** The candidate nearest to {@code word} if it is a likely typo of it. */
    static Optional<String> closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = SUGGESTION_DISTANCE + 1;
        for (String candidate : candidates) {
            int d = distance(word, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Optimal string alignment distance: Levenshtein plus swapped neighbours, so "mdoe" is 1 from "mode". */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
