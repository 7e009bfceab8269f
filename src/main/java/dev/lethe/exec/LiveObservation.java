package dev.lethe.exec;

import dev.lethe.linux.Flags;
import dev.lethe.linux.Fs;
import dev.lethe.linux.MountInfo;
import dev.lethe.linux.Stat;
import dev.lethe.model.AbsolutePath;
import dev.lethe.plan.Observation;
import dev.lethe.plan.PathState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The real machine as the planner sees it: statx through {@link Fs} and the mount table. */
public final class LiveObservation implements Observation {

    private final Fs fs;
    private final List<AbsolutePath> stores;
    private final MountInfo mountInfo;
    private final Map<AbsolutePath, PathState> cache = new HashMap<>();

    public LiveObservation(Fs fs, List<AbsolutePath> stores, MountInfo mountInfo) {
        this.fs = fs;
        this.stores = List.copyOf(stores);
        this.mountInfo = mountInfo;
    }

    @Override
    public PathState state(AbsolutePath path) {
        return cache.computeIfAbsent(path, this::observe);
    }

    private PathState observe(AbsolutePath path) {
        try {
            var found = fs.inspect(path);
            if (found.isEmpty()) {
                return PathState.ABSENT;
            }
            Stat stat = found.get().stat();
            PathState.Facts facts = new PathState.Facts(stat.uid(), stat.gid(), stat.permissions(),
                    stat.device(), stat.inode(), stat.mountRoot());
            if (stat.isDirectory()) {
                return new PathState.Directory(facts, found.get().empty());
            }
            if (stat.isRegularFile()) {
                return new PathState.RegularFile(facts, stat.size());
            }
            if (stat.isSymlink()) {
                return new PathState.Symlink(fs.readLink(path));
            }
            return new PathState.Other(stat.typeWord());
        } catch (IOException e) {
            return new PathState.Unreachable(e.getMessage());
        }
    }

    @Override
    public boolean sameContent(AbsolutePath a, AbsolutePath b) {
        return Contents.same(fs, a, b);
    }

    /**
     * Mounts that look exactly like lethe's: their source is inside a store, at the place that
     * mirrors their mount point. Only such mounts are ever unmounted for a removed entry.
     */
    @Override
    public List<StoreMount> storeMounts() {
        List<StoreMount> found = new ArrayList<>();
        String rootPrefix = fs.hostPath(AbsolutePath.ROOT);
        for (AbsolutePath store : stores) {
            String storeHost = fs.hostPath(store);
            MountInfo.Mount storeFs = mountInfo.containing(storeHost);
            if (storeFs == null) {
                continue;
            }
            String below = storeHost.substring(storeFs.mountPoint().equals("/") ? 0 : storeFs.mountPoint().length());
            String storeRoot = join(storeFs.root(), below);
            for (MountInfo.Mount m : mountInfo.mounts()) {
                if (m.device() != storeFs.device() || !MountInfo.isUnder(m.root(), storeRoot) || m.root().equals(storeRoot)
                        || !MountInfo.isUnder(m.mountPoint(), rootPrefix)) {
                    continue;
                }
                String relativeSource = storeRoot.equals("/") ? m.root() : m.root().substring(storeRoot.length());
                String relativeTarget = rootPrefix.equals("/") ? m.mountPoint() : m.mountPoint().substring(rootPrefix.length());
                if (relativeTarget.isEmpty() || !relativeSource.equals(relativeTarget)) {
                    continue;
                }
                AbsolutePath target = AbsolutePath.of(relativeTarget);
                found.add(new StoreMount(store, target.under(store), target));
            }
        }
        return found;
    }

    private static String join(String root, String below) {
        if (below.isEmpty()) {
            return root;
        }
        return root.equals("/") ? below : root + below;
    }

    @Override
    public Set<AbsolutePath> interruptedMigrations() {
        Set<AbsolutePath> targets = new HashSet<>();
        for (AbsolutePath store : stores) {
            try {
                targets.addAll(Journal.pendingTargets(fs, store));
            } catch (IOException e) {
                // An unreadable journal leaves those entries to fail loudly on their own state.
            }
        }
        return targets;
    }
}
