package dev.lethe.config;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules on [root] values that need no machine to check, each returning what is wrong or
 * nothing. {@link RootReader} reports a problem with its file and line; the {@link RootConfig}
 * records throw on one, so no strategy is ever handed a value that breaks a rule.
 */
final class RootRules {
    private RootRules() {}

    /** A dataset inside a pool: a pool's own top dataset cannot be renamed, so it cannot be archived. */
    private static final Pattern DATASET = Pattern.compile("[A-Za-z0-9_.:-]+(/[A-Za-z0-9_.:-]+)+");
    private static final Pattern SNAPSHOT_NAME = Pattern.compile("[A-Za-z0-9_.:-]+");
    /** overlayfs splits its mount options at "," and its layers at ":", and "\" escapes either. */
    private static final String OVERLAY_OPTION_SYNTAX = ",:\\";

    static void requireNone(Optional<String> problem) {
        problem.ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
    }

    /** "/@root" as mount's subvol= option writes it is "@root" from the top level. */
    static String normalSubvolume(String written) {
        String name = written;
        while (name.startsWith("/")) {
            name = name.substring(1);
        }
        return name;
    }

    /** A subvolume's path from the top level, already without its leading slash. */
    static Optional<String> subvolumeProblem(String name) {
        if (name == null) {
            return Optional.of("no subvolume path");
        }
        if (name.chars().anyMatch(c -> c == '\t' || c == '\n' || c == 0)) {
            // The registry of archives is one tab-separated line per archive.
            return Optional.of("\"" + name + "\" contains a tab, newline or NUL; name a subvolume without them");
        }
        if (name.isEmpty() || name.endsWith("/") || name.startsWith("/")) {
            return Optional.of("\"" + name + "\" is not a subvolume path from the top level (e.g. \"@root\")");
        }
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return Optional.of("\"" + name + "\" is not a subvolume path from the top level (e.g. \"@root\"):"
                        + " it has an empty, . or .. component");
            }
        }
        if (name.equals(RootConfig.ARCHIVES) || name.startsWith(RootConfig.ARCHIVES + "/")) {
            return Optional.of("\"" + name + "\" lies in " + RootConfig.ARCHIVES + ", where lethe keeps old roots");
        }
        return Optional.empty();
    }

    /** The root subvolume and its blank, both valid names. */
    static Optional<String> subvolumePairProblem(String subvolume, String blank) {
        if (subvolume.equals(blank)) {
            return Optional.of("blank is the same subvolume as subvolume (\"" + blank
                    + "\"); the root must be recreated from a separate empty subvolume");
        }
        if (blank.startsWith(subvolume + "/") || subvolume.startsWith(blank + "/")) {
            return Optional.of("blank \"" + blank + "\" and subvolume \"" + subvolume + "\" lie one inside the other:"
                    + " archiving the root would take the blank with it. Keep both directly on the top level");
        }
        return Optional.empty();
    }

    static Optional<String> datasetProblem(String dataset) {
        if (dataset == null || !DATASET.matcher(dataset).matches()) {
            return Optional.of("\"" + dataset + "\" must be a dataset inside a pool, like \"rpool/root\""
                    + " (letters, digits and _ . : - in each component; no leading /, no @snapshot): a pool's"
                    + " own top dataset cannot be renamed, so it cannot be archived");
        }
        for (String part : dataset.split("/")) {
            if (part.equals(".") || part.equals("..")) {
                return Optional.of("\"" + dataset + "\" has a . or .. component; name the dataset as zfs list shows it");
            }
        }
        String pool = dataset.substring(0, dataset.indexOf('/'));
        String archives = pool + "/" + RootConfig.ARCHIVES;
        if (dataset.equals(archives) || dataset.startsWith(archives + "/")) {
            return Optional.of("\"" + dataset + "\" lies in " + archives
                    + ", where lethe keeps its archives; name the dataset mounted as /");
        }
        return Optional.empty();
    }

    static Optional<String> snapshotProblem(String blank) {
        if (blank == null || !SNAPSHOT_NAME.matcher(blank).matches()) {
            return Optional.of("\"" + blank + "\" must be a snapshot name like \"blank\" (without the dataset and @)");
        }
        return Optional.empty();
    }

    /** An upper directory, already an absolute path, that an overlay mount option can name. */
    static Optional<String> upperProblem(String upper) {
        if (upper.equals("/")) {
            return Optional.of("upper cannot be /: it must be a directory on a persistent filesystem, like /overlay"
                    + " (not inside a store)");
        }
        for (char c : OVERLAY_OPTION_SYNTAX.toCharArray()) {
            if (upper.indexOf(c) >= 0) {
                return Optional.of("upper " + upper + " contains '" + c + "', which overlay mount options cannot carry:"
                        + " choose a path without , : or \\");
            }
        }
        return Optional.empty();
    }
}
