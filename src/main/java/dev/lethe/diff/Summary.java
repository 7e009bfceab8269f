package dev.lethe.diff;

import dev.lethe.config.Accounts;
import dev.lethe.linux.Stat;
import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A diff collapsed to the directories that matter, largest first. A directory that is new as a
 * whole (added, replaced or turned from a file into a directory) is shown once with everything
 * below it; any other change is counted in its parent directory.
 */
public final class Summary {
    private Summary() {}

    public static final int DEFAULT_LIMIT = 20;

    /** One directory of the summary: the changes at or below it, their bytes and count. */
    public record Directory(AbsolutePath path, long bytes, int changes, List<Change> members) {}

    /** The summary: the top directories and how many more there were. */
    public record Result(List<Directory> top, int more) {}

    /** Looks up a path on the live root; empty if it is not there. */
    @FunctionalInterface
    public interface Lookup {
        Optional<Stat> stat(AbsolutePath path) throws IOException;
    }

    public static Result of(List<Change> changes, int limit) {
        return ranked(groups(changes), limit);
    }

    /** A directory takes in the groups below it when there are at least this many... */
    static final int CROWD = 8;
    /** ...and together they hold at most this share of the diff's bytes... */
    static final int SMALL_PERCENT = 1;
    /** ...and none of them holds more than this share of theirs: a crowd of peers, not one thing with followers. */
    static final int PEER_PERCENT = 25;

    /**
     * {@link #of} for a diff that may be large and scattered (a whole root in adoption mode, where
     * every package directory can hold a new {@code __pycache__}): groups are formed as there, then,
     * deepest first, a directory other than "/" takes in every group below it when they are at least
     * {@link #CROWD}, together small (at most {@link #SMALL_PERCENT}% of all bytes), and none of them
     * stands out (each at most {@link #PEER_PERCENT}% of their bytes). So a swarm of small scattered
     * changes becomes one line for the directory that holds them, while large directories, and a
     * directory that dominates its neighbours (a database among caches), keep their own lines.
     * Members are listed largest first.
     */
    public static Result rolledUp(List<Change> changes, int limit) {
        Map<AbsolutePath, List<Change>> groups = groups(changes);
        long total = changes.stream().mapToLong(Change::bytes).sum();
        long small = total / 100 * SMALL_PERCENT;
        // For each directory above a group: how many groups lie strictly below it, their bytes, the largest's.
        Map<AbsolutePath, long[]> below = new HashMap<>();
        groups.forEach((path, members) -> {
            long bytes = members.stream().mapToLong(Change::bytes).sum();
            for (AbsolutePath above = path.parent(); above != null; above = above.parent()) {
                long[] tally = below.computeIfAbsent(above, key -> new long[3]);
                tally[0]++;
                tally[1] += bytes;
                tally[2] = Math.max(tally[2], bytes);
            }
        });
        List<AbsolutePath> deepestFirst = new ArrayList<>(below.keySet());
        deepestFirst.sort(Comparator.comparingInt((AbsolutePath path) -> path.names().size()).reversed()
                .thenComparing(Comparator.naturalOrder()));
        for (AbsolutePath directory : deepestFirst) {
            long[] tally = below.get(directory);
            List<Change> own = groups.get(directory);
            long ownBytes = own == null ? 0 : own.stream().mapToLong(Change::bytes).sum();
            if (directory.isRoot() || tally[0] < CROWD || tally[1] + ownBytes > small
                    || tally[2] > tally[1] / 100 * PEER_PERCENT) {
                continue;
            }
            List<Change> merged = new ArrayList<>(own == null ? List.of() : own);
            groups.entrySet().removeIf(group -> {
                boolean inside = !group.getKey().equals(directory) && group.getKey().startsWith(directory);
                if (inside) {
                    merged.addAll(group.getValue());
                }
                return inside;
            });
            groups.put(directory, merged);
            long gone = tally[0] - (own == null ? 1 : 0);  // its groups leave; it becomes one if it was not
            for (AbsolutePath above = directory.parent(); above != null; above = above.parent()) {
                long[] aboveTally = below.get(above);
                aboveTally[0] -= gone;
                aboveTally[2] = Math.max(aboveTally[2], tally[1] + ownBytes);
            }
            tally[0] = 0;
            tally[1] = 0;
        }
        Comparator<Change> largestFirst = Comparator.comparingLong(Change::bytes).reversed()
                .thenComparing(Change::path);
        groups.replaceAll((path, members) -> members.stream().sorted(largestFirst).toList());
        return ranked(groups, limit);
    }

    private static Map<AbsolutePath, List<Change>> groups(List<Change> changes) {
        Set<AbsolutePath> wholeDirectories = new HashSet<>();
        for (Change change : changes) {
            if (change.directory() && change.kind() != Change.Kind.DELETED && change.what() != Change.What.METADATA) {
                wholeDirectories.add(change.path());
            }
        }
        Map<AbsolutePath, List<Change>> groups = new LinkedHashMap<>();
        for (Change change : changes) {
            groups.computeIfAbsent(groupOf(change, wholeDirectories), key -> new ArrayList<>()).add(change);
        }
        return groups;
    }

    /** The groups as directories, largest first, the first {@code limit} of them. */
    private static Result ranked(Map<AbsolutePath, List<Change>> groups, int limit) {
        List<Directory> directories = new ArrayList<>();
        groups.forEach((path, members) -> directories.add(new Directory(path,
                members.stream().mapToLong(Change::bytes).sum(), members.size(), List.copyOf(members))));
        directories.sort(Comparator.comparingLong(Directory::bytes).reversed()
                .thenComparing(Comparator.comparingInt(Directory::changes).reversed())
                .thenComparing(Directory::path));
        int shown = Math.min(limit, directories.size());
        return new Result(List.copyOf(directories.subList(0, shown)), directories.size() - shown);
    }

    /** The highest whole new directory at or above the change, else the change's parent (or the directory itself). */
    private static AbsolutePath groupOf(Change change, Set<AbsolutePath> wholeDirectories) {
        for (AbsolutePath ancestor : change.path().ancestors()) {
            if (wholeDirectories.contains(ancestor)) {
                return ancestor;
            }
        }
        if (wholeDirectories.contains(change.path()) || (change.directory() && change.kind() != Change.Kind.DELETED)) {
            return change.path();
        }
        return change.path().parent();
    }

    /** Ready-to-paste config lines: entries for a store's {@code directories} and for its {@code files}. */
    public record Suggestions(List<String> directories, List<String> files) {
        public boolean isEmpty() {
            return directories.isEmpty() && files.isEmpty();
        }
    }

    /** Directories whose contents are meant to be lost at every boot: nothing in them is suggested. */
    private static final List<AbsolutePath> VOLATILE = List.of(AbsolutePath.of("/tmp"), AbsolutePath.of("/var/tmp"),
            AbsolutePath.of("/run"), AbsolutePath.of("/var/run"), AbsolutePath.of("/dev/shm"));

    /** A group that is not a new directory is suggested path by path only if it has at most this many. */
    private static final int PATHS_PER_GROUP = 10;

    /**
     * Config lines that would keep the directories' changes, with the owner and mode of the live path.
     * A directory that is new as a whole becomes one {@code directories} entry; a group of changes in a
     * directory the blank state has too (such as /etc) is suggested path by path, never as the whole
     * directory, which would persist everything else in it, and only if it holds a handful of them
     * (a swarm such as downloaded packages is left to the reader). Deletions have nothing to keep,
     * and nothing below /tmp, /var/tmp, /run or /dev/shm is suggested.
     */
    public static Suggestions suggest(List<Directory> directories, Lookup live, Accounts accounts) throws IOException {
        Set<String> directoryLines = new LinkedHashSet<>();
        Set<String> fileLines = new LinkedHashSet<>();
        for (Directory directory : directories) {
            if (directory.path().isRoot() || VOLATILE.stream().anyMatch(v -> directory.path().startsWith(v))) {
                continue;
            }
            boolean newAsAWhole = directory.members().stream().anyMatch(c -> c.path().equals(directory.path())
                    && c.directory() && c.kind() != Change.Kind.DELETED && c.what() != Change.What.METADATA);
            if (newAsAWhole) {
                directoryLines.add(entry(directory.path(), live, accounts));
                continue;
            }
            // A directory whose owner or mode changed cannot be kept without keeping all it holds.
            List<Change> keepable = directory.members().stream().filter(c -> c.kind() != Change.Kind.DELETED)
                    .filter(c -> !(c.directory() && c.what() == Change.What.METADATA)).toList();
            if (keepable.size() > PATHS_PER_GROUP) {
                continue;  // a swarm (downloaded packages, __pycache__ everywhere): for a person to judge, not a list
            }
            for (Change change : keepable) {
                (change.directory() ? directoryLines : fileLines).add(entry(change.path(), live, accounts));
            }
        }
        return new Suggestions(List.copyOf(directoryLines), List.copyOf(fileLines));
    }

    /** One entry: the path, with the owner and group when not root's, and the mode, as the live path has them. */
    private static String entry(AbsolutePath path, Lookup live, Accounts accounts) throws IOException {
        Optional<Stat> stat = live.stat(path);
        StringBuilder line = new StringBuilder("{ path = ").append(quote(path.value()));
        if (stat.isPresent() && (stat.get().isDirectory() || stat.get().isRegularFile())) {
            Stat s = stat.get();
            if (s.uid() != 0 || s.gid() != 0) {
                String owner = accounts.user(Integer.toString(s.uid())).map(Accounts.User::name)
                        .orElse(Integer.toString(s.uid()));
                String group = accounts.group(Integer.toString(s.gid())).map(Accounts.Group::name)
                        .orElse(Integer.toString(s.gid()));
                line.append(", owner = ").append(quote(owner)).append(", group = ").append(quote(group));
            }
            line.append(", mode = ").append(quote(String.format("%04o", s.permissions())));
        }
        return line.append(" }").toString();
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
