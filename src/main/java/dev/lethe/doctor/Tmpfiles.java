package dev.lethe.doctor;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * systemd-tmpfiles rules with an age (tmpfiles.d(5)): {@code systemd-tmpfiles --clean} deletes files
 * older than the age below the rule's path. It does not cross into another filesystem, so a rule on a
 * parent of a bind-mounted entry stops at the mount; a rule on the entry itself, or inside it,
 * cleans the store's data.
 */
public final class Tmpfiles {
    private Tmpfiles() {}

    /** The directories read, most important first: a file of the same name in an earlier one masks the later ones. */
    public static final List<AbsolutePath> DIRECTORIES = List.of(AbsolutePath.of("/etc/tmpfiles.d"),
            AbsolutePath.of("/run/tmpfiles.d"), AbsolutePath.of("/usr/lib/tmpfiles.d"));

    /** The line types whose age field cleans a directory's contents. */
    static final Set<Character> CLEANING_TYPES = Set.of('d', 'D', 'e', 'q', 'Q', 'v');

    /** A rule with an age: its path (perhaps a glob), the line, and where it is. */
    public record AgeRule(String path, String line, String origin) {}

    /**
     * The effective files: for each name, the one in the most important directory ({@code /dev/null}
     * or an empty file there masks the others).
     *
     * @param files per directory of {@link #DIRECTORIES}, in that order: file name to its text
     */
    public static Map<String, Map.Entry<AbsolutePath, String>> effective(List<Map<String, String>> files) {
        Map<String, Map.Entry<AbsolutePath, String>> chosen = new LinkedHashMap<>();
        for (int i = 0; i < files.size(); i++) {
            AbsolutePath directory = DIRECTORIES.get(i);
            files.get(i).forEach((name, text) -> chosen.putIfAbsent(name, Map.entry(directory.resolve(name), text)));
        }
        return chosen;
    }

    /** The rules with an age in one file's text. */
    public static List<AgeRule> ageRules(AbsolutePath file, String text) {
        List<AgeRule> rules = new ArrayList<>();
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] f = trimmed.split("\\s+");
            if (f.length < 6 || f[0].isEmpty() || !CLEANING_TYPES.contains(f[0].charAt(0)) || f[5].equals("-")) {
                continue;
            }
            rules.add(new AgeRule(f[1], trimmed, file + ":" + number));
        }
        return rules;
    }

    /** A finding for each entry that a rule cleans: the rule's path is the entry's target or inside it. */
    public static List<Finding> check(List<AgeRule> rules, List<Entry> entries) {
        List<Finding> findings = new ArrayList<>();
        for (Entry entry : entries) {
            for (AgeRule rule : rules) {
                if (cleansInside(rule.path(), entry.target())) {
                    findings.add(new Finding.TmpfilesCleansPersisted(entry.target(), rule.line(), rule.origin()));
                }
            }
        }
        return findings;
    }

    /** Whether the rule's path (a glob, or with specifiers it cannot resolve: skipped) lies at or below the target. */
    static boolean cleansInside(String rulePath, AbsolutePath target) {
        if (rulePath.contains("%") || !rulePath.startsWith("/")) {
            return false;  // specifiers (%h, %U...) depend on the user or unit; not guessed
        }
        if (rulePath.chars().anyMatch(c -> c == '*' || c == '?' || c == '[')) {
            PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + rulePath);
            // A glob cleans inside the target if it matches the target or something named below it.
            return glob.matches(Path.of(target.value())) || glob.matches(Path.of(target.value(), "x"));
        }
        String normalised = rulePath.length() > 1 && rulePath.endsWith("/") ? rulePath.substring(0, rulePath.length() - 1)
                : rulePath;
        return normalised.equals(target.value()) || normalised.startsWith(target.value() + "/");
    }
}
