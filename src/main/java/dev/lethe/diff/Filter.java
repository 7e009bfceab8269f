package dev.lethe.diff;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;

/**
 * What a diff leaves out: paths at or under a persisted entry's target (always), and paths matching
 * an ignore glob (caches and logs a user has decided to lose) unless {@code all} is set. A glob is
 * matched against the absolute path ({@code /var/cache/**}).
 */
public final class Filter {
    private final List<AbsolutePath> persisted;
    private final List<PathMatcher> ignored;
    private final AbsolutePath mountPoint;

    private Filter(List<AbsolutePath> persisted, List<PathMatcher> ignored, AbsolutePath mountPoint) {
        this.persisted = persisted;
        this.ignored = ignored;
        this.mountPoint = mountPoint;
    }

    public static Filter of(List<Entry> entries, List<String> ignoreGlobs, boolean all) {
        List<PathMatcher> matchers = all ? List.of() : ignoreGlobs.stream()
                .map(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob)).toList();
        return new Filter(entries.stream().map(Entry::target).toList(), matchers, AbsolutePath.ROOT);
    }

    /** Nothing persisted, nothing ignored. */
    public static Filter none() {
        return new Filter(List.of(), List.of(), AbsolutePath.ROOT);
    }

    /**
     * This filter for a walk of a filesystem mounted at {@code mountPoint} on the root (a zfs child
     * dataset at /var), which names its paths from its own top: "/log" stands for "/var/log".
     */
    public Filter within(AbsolutePath mountPoint) {
        return new Filter(persisted, ignored, mountPoint.under(this.mountPoint));
    }

    /** True if the path is persisted (at or under an entry's target). */
    public boolean persisted(AbsolutePath path) {
        path = path.under(mountPoint);
        for (AbsolutePath target : persisted) {
            if (path.startsWith(target)) {
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
        Path asPath = Path.of(path.under(mountPoint).value());
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
