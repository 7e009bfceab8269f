package dev.lethe.diff;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.model.LetheFiles;
import dev.lethe.model.PathGlob;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a diff leaves out: paths at or under a persisted entry's target and lethe's own activation
 * mark {@code /.lethe-activated} (always), and paths matching an ignore glob (caches and logs a user
 * has decided to lose) unless {@code all} is set.
 *
 * <p>A glob is matched against the absolute path, as java.nio matches it ({@link PathGlob}), and a
 * path it leaves out takes everything below it along: a diff does not look inside it. So:
 * <ul>
 * <li>{@code /var/cache/**} leaves out everything <em>in</em> /var/cache, at any depth, but not the
 * directory /var/cache itself: if that directory is itself a change (added, deleted, its type,
 * owner or mode changed), it is still reported, because losing it is not the same decision as
 * losing a cache's contents (a deleted /var/cache, a chmod on it). On an overlay, a directory that
 * is in the upper only as the way to changed contents is no change, so the usual cache directory,
 * which the blank root has, does not show up at all.</li>
 * <li>{@code /var/cache} leaves out the directory and, with it, everything below it.</li>
 * <li>{@code /var/cache/*} leaves out each name directly in /var/cache, and so all below them too:
 * in practice the same as {@code /var/cache/**}.</li>
 * </ul>
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

    /**
     * @param ignoreGlobs globs as {@link PathGlob} accepts them; the config and the command line check
     *                    them first, so a bad one here is a bug (IllegalArgumentException)
     */
    public static Filter of(List<Entry> entries, List<String> ignoreGlobs, boolean all) {
        List<PathMatcher> matchers = all ? List.of() : ignoreGlobs.stream()
                .map(glob -> PathGlob.of(glob).matcher()).toList();
        // The activation mark is lethe's own record of this boot, not state a user could persist.
        List<AbsolutePath> kept = Stream.concat(entries.stream().map(Entry::target), Stream.of(LetheFiles.ACTIVATION_MARK)).toList();
        return new Filter(kept, matchers, AbsolutePath.ROOT);
    }

    /**
     * This filter leaving out {@code paths} too, and all below them: the stores (one on the root
     * filesystem holds what is persisted, and lethe's own records), which the next boot keeps.
     */
    public Filter leavingOut(List<AbsolutePath> paths) {
        return new Filter(Stream.concat(persisted.stream(), paths.stream()).toList(), ignored, mountPoint);
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
