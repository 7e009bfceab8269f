package dev.lethe.plan;

import dev.lethe.model.AbsolutePath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A hand-written {@link Observation}: a table of path states. Paths not in the table are absent. */
public final class TableObservation implements Observation {
    private final Map<AbsolutePath, PathState> states = new HashMap<>();
    private final List<LetheMount> mounts = new ArrayList<>();
    private final Map<AbsolutePath, AbsolutePath> interrupted = new HashMap<>();
    private final Set<String> identical = new HashSet<>();
    private long nextInode = 100;

    /** A store: a directory that is the root of a mount. */
    public TableObservation store(String path) {
        return put(path, new PathState.Directory(facts(0, 0, 0755, true), false));
    }

    public TableObservation dir(String path) {
        return put(path, new PathState.Directory(facts(0, 0, 0755, false), true));
    }

    public TableObservation dirWithData(String path) {
        return put(path, new PathState.Directory(facts(0, 0, 0755, false), false));
    }

    public TableObservation dir(String path, int uid, int gid, int mode, boolean empty) {
        return put(path, new PathState.Directory(facts(uid, gid, mode, false), empty));
    }

    public TableObservation file(String path, long size) {
        return put(path, new PathState.RegularFile(facts(0, 0, 0644, false), size));
    }

    public TableObservation symlink(String path, String target) {
        return put(path, new PathState.Symlink(target));
    }

    public TableObservation unreachable(String path, String reason) {
        return put(path, new PathState.Unreachable(reason));
    }

    /** {@code target} is a mount root showing the same inode as {@code source}. */
    public TableObservation mounted(String source, String target) {
        PathState s = states.get(AbsolutePath.of(source));
        PathState.Facts f = Observation.facts(s);
        PathState.Facts onTarget = new PathState.Facts(f.uid(), f.gid(), f.mode(), f.device(), f.inode(), true);
        PathState t = s instanceof PathState.Directory d ? new PathState.Directory(onTarget, d.empty())
                : new PathState.RegularFile(onTarget, ((PathState.RegularFile) s).size());
        return put(target, t);
    }

    public TableObservation mountPointOfSomethingElse(String path) {
        return put(path, new PathState.Directory(facts(0, 0, 0755, true), false));
    }

    /** lethe recorded mounting {@code target} from {@code store}; {@code topmost} unless something covers it. */
    public TableObservation letheMount(String store, String target, boolean topmost) {
        AbsolutePath t = AbsolutePath.of(target);
        mounts.add(new LetheMount(AbsolutePath.of(store), t.under(AbsolutePath.of(store)), t, topmost));
        return this;
    }

    public TableObservation interrupted(String target, String store) {
        interrupted.put(AbsolutePath.of(target), AbsolutePath.of(store));
        return this;
    }

    public TableObservation identical(String a, String b) {
        identical.add(a + "\0" + b);
        identical.add(b + "\0" + a);
        return this;
    }

    private PathState.Facts facts(int uid, int gid, int mode, boolean mountRoot) {
        return new PathState.Facts(uid, gid, mode, 1, nextInode++, mountRoot);
    }

    private TableObservation put(String path, PathState state) {
        states.put(AbsolutePath.of(path), state);
        return this;
    }

    @Override
    public PathState state(AbsolutePath path) {
        return states.getOrDefault(path, PathState.ABSENT);
    }

    @Override
    public boolean sameContent(AbsolutePath a, AbsolutePath b) {
        return identical.contains(a.value() + "\0" + b.value());
    }

    @Override
    public List<LetheMount> letheMounts() {
        return mounts;
    }

    @Override
    public Map<AbsolutePath, AbsolutePath> interruptedMigrations() {
        return interrupted;
    }
}
