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
            if (change.directory() && change.kind() != Change.Kind.DELETED && !change.what().equals("metadata")) {
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

    /** Directories nothing in which is suggested: their contents are meant to be lost at every boot, or must be. */
    private static final List<AbsolutePath> VOLATILE = List.of(AbsolutePath.of("/tmp"), AbsolutePath.of("/var/tmp"),
            AbsolutePath.of("/run"), AbsolutePath.of("/var/run"), AbsolutePath.of("/dev/shm"),
            // What the config refuses to persist: created afresh by the kernel or early boot.
            AbsolutePath.of("/proc"), AbsolutePath.of("/sys"), AbsolutePath.of("/dev"),
            // Package databases describe the root's own files: kept while the root is wiped, they would lie.
            AbsolutePath.of("/var/lib/dpkg"), AbsolutePath.of("/var/lib/pacman"), AbsolutePath.of("/var/lib/rpm"));

    /**
     * Directories that hold the system itself: keeping one whole would keep everything in it, which
     * is what a wipe is for. Their changes are suggested path by path, never the directory. Any
     * directory just below "/" is one too (/etc, /var, /home, /root...).
     */
    private static final Set<AbsolutePath> SYSTEM = Set.of(AbsolutePath.of("/var/lib"), AbsolutePath.of("/var/cache"),
            AbsolutePath.of("/var/spool"), AbsolutePath.of("/var/log"), AbsolutePath.of("/usr/local"),
            AbsolutePath.of("/usr/lib"), AbsolutePath.of("/usr/share"), AbsolutePath.of("/usr/bin"),
            AbsolutePath.of("/usr/sbin"), AbsolutePath.of("/usr/local/bin"), AbsolutePath.of("/usr/local/lib"),
            AbsolutePath.of("/usr/local/share"), AbsolutePath.of("/etc/default"), AbsolutePath.of("/etc/systemd"));

    /** A group that is not a new directory is suggested path by path only if it has at most this many. */
    private static final int PATHS_PER_GROUP = 10;

    /** What the config already has: stores and entry targets, which no suggestion may hold, lie in or be. */
    public record Taken(List<AbsolutePath> stores, List<AbsolutePath> entries) {
        public static final Taken NOTHING = new Taken(List.of(), List.of());

        boolean clashes(AbsolutePath path) {
            return stores.stream().anyMatch(s -> path.startsWith(s) || s.startsWith(path))
                    || entries.stream().anyMatch(e -> path.startsWith(e) || e.startsWith(path));
        }
    }

    public static Suggestions suggest(List<Directory> directories, Lookup live, Accounts accounts) throws IOException {
        return suggest(directories, live, accounts, Taken.NOTHING);
    }

    /**
     * Config lines that would keep the directories' changes, with the owner and mode of the live path,
     * each an entry {@code lethe check} accepts beside the config's own ({@code taken}).
     * <ul>
     * <li>A directory that is new as a whole becomes one {@code directories} entry.
     * <li>A directory the blank state has too, where a file was added or several changed, becomes a
     *     {@code directories} entry: programs that write such files mostly replace them by rename
     *     (apt's lists, a database's journal), and a bind-mounted file cannot be renamed over (EBUSY),
     *     so a {@code files} entry would break the program.
     * <li>A single file changed in place in such a directory, or changes in a {@link #SYSTEM}
     *     directory such as /etc, are suggested path by path, never the directory, which would
     *     persist everything else in it, and only a handful (a swarm such as downloaded packages is
     *     left to the reader).
     * </ul>
     * Deletions have nothing to keep; nothing in /tmp, /var/tmp, /run, /dev/shm, /proc, /sys or /dev
     * is suggested, nor a store, a path in one or holding one, nor a path an entry keeps, holds or
     * lies in, nor a path inside another suggestion.
     */
    public static Suggestions suggest(List<Directory> directories, Lookup live, Accounts accounts, Taken taken)
            throws IOException {
        // Path -> directory (true) or file (false), in the order found.
        Map<AbsolutePath, Boolean> wanted = new LinkedHashMap<>();
        for (Directory directory : directories) {
            AbsolutePath path = directory.path();
            if (path.isRoot() || VOLATILE.stream().anyMatch(path::startsWith)) {
                continue;
            }
            boolean newAsAWhole = directory.members().stream().anyMatch(c -> c.path().equals(path)
                    && c.directory() && c.kind() != Change.Kind.DELETED && !c.what().equals("metadata"));
            boolean system = isSystem(path);
            if (newAsAWhole && !system) {
                wanted.putIfAbsent(path, true);
                continue;
            }
            // A directory whose owner or mode changed cannot be kept without keeping all it holds.
            List<Change> keepable = directory.members().stream().filter(c -> c.kind() != Change.Kind.DELETED)
                    .filter(c -> !(c.directory() && c.what().equals("metadata")))
                    .filter(c -> !isSystem(c.path())).toList();
            if (keepable.size() > PATHS_PER_GROUP) {
                continue;  // a swarm (downloaded packages, __pycache__ everywhere): for a person to judge, not a list
            }
            long files = keepable.stream().filter(c -> !c.directory()).count();
            boolean added = keepable.stream().anyMatch(c -> !c.directory() && c.kind() == Change.Kind.ADDED);
            if (!system && !keepable.isEmpty() && (added || files > 1)) {
                wanted.putIfAbsent(path, true);
                continue;
            }
            for (Change change : keepable) {
                wanted.putIfAbsent(change.path(), change.directory());
            }
        }
        Set<String> directoryLines = new LinkedHashSet<>();
        Set<String> fileLines = new LinkedHashSet<>();
        for (Map.Entry<AbsolutePath, Boolean> suggestion : wanted.entrySet()) {
            AbsolutePath path = suggestion.getKey();
            boolean insideAnother = wanted.keySet().stream().anyMatch(other -> !other.equals(path) && path.startsWith(other));
            boolean refused = VOLATILE.stream().anyMatch(path::startsWith) || AbsolutePath.problemWith(path.value()) != null
                    || path.value().chars().anyMatch(c -> c < 0x20 || c == 0x7f);  // a name with a newline: for a person to judge
            if (insideAnother || refused || taken.clashes(path)) {
                continue;
            }
            (suggestion.getValue() ? directoryLines : fileLines).add(entry(path, live, accounts));
        }
        return new Suggestions(List.copyOf(directoryLines), List.copyOf(fileLines));
    }

    private static boolean isSystem(AbsolutePath path) {
        return path.isRoot() || path.names().size() == 1 || SYSTEM.contains(path);
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

    /** A TOML basic string: quotes, backslashes and control characters (a newline in a name) escaped. */
    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                quoted.append(String.format("\\u%04X", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}
