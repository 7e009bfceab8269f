package dev.lethe.diff;

import dev.lethe.exec.Activation;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a diff leaves out: paths at or under a persisted entry's target and lethe's own activation
 * mark {@code /.lethe-activated} (always), and paths matching
 * an ignore glob (caches and logs a user has decided to lose) unless {@code all} is set. A glob is
 * matched against the absolute path ({@code /var/cache/**}).
 */
public final class Filter {
    private final List<AbsolutePath> persisted;
    private final List<PathMatcher> ignored;

    private Filter(List<AbsolutePath> persisted, List<PathMatcher> ignored) {
        this.persisted = persisted;
        this.ignored = ignored;
    }

    public static Filter of(List<Entry> entries, List<String> ignoreGlobs, boolean all) {
        List<PathMatcher> matchers = all ? List.of() : ignoreGlobs.stream()
                .map(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob)).toList();
        // The activation mark is lethe's own record of this boot, not state a user could persist.
        List<AbsolutePath> kept = Stream.concat(entries.stream().map(Entry::target), Stream.of(Activation.MARK)).toList();
        return new Filter(kept, matchers);
    }

    /** Nothing persisted, nothing ignored. */
    public static Filter none() {
        return new Filter(List.of(), List.of());
    }

    /** True if the path is persisted (at or under an entry's target). */
    public boolean persisted(AbsolutePath path) {
        for (AbsolutePath target : persisted) {
            if (path.startsWith(target)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The changes without the directories lethe itself makes at every boot: a directory added on the
     * way to a persisted path (/etc/NetworkManager for /etc/NetworkManager/system-connections) is made
     * again by the next boot's apply, so it is not lost. What else such a directory holds is reported.
     */
    public List<Change> withoutDirectoriesLetheMakes(List<Change> changes) {
        return changes.stream().filter(change -> !(change.kind() == Change.Kind.ADDED && change.directory()
                && leadsToPersisted(change.path()))).toList();
    }

    private boolean leadsToPersisted(AbsolutePath path) {
        for (AbsolutePath target : persisted) {
            if (!target.equals(path) && target.startsWith(path)) {
                return true;
            }
        }
        return false;
    }

    /** True if the path matches an ignore glob. */
    public boolean ignored(AbsolutePath path) {
        if (ignored.isEmpty()) {
            return false;
        }
        Path asPath = Path.of(path.value());
        for (PathMatcher matcher : ignored) {
            if (matcher.matches(asPath)) {
                return true;
            }
        }
        return false;
    }

    /** True if the path is left out of the diff, and so is everything below it. */
    public boolean excludes(AbsolutePath path) {
        return persisted(path) || ignored(path);
    }
}
