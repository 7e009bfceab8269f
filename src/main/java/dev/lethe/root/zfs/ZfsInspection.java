package dev.lethe.root.zfs;

import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy.WipeRequest;
import dev.lethe.root.zfs.Zfs.Node;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * What the wipe planner needs from the pool, read through zfs(8) and changing nothing: the archives,
 * the root's tree, the tree of a wipe that was cut short, the leftovers of a killed diff. The checks
 * of the config against the pool run here too, for a wipe that starts afresh.
 */
final class ZfsInspection {
    private final Zfs zfs;
    private final ZfsCheck check;
    private final ZfsLeftovers leftovers;

    ZfsInspection(Zfs zfs, ZfsCheck check) {
        this.zfs = zfs;
        this.check = check;
        this.leftovers = new ZfsLeftovers(zfs);
    }

    ZfsWipePlanner.Observation observe(ZfsNames n) throws IOException {
        // Two levels: the archives and their snapshots, where a cut-short wipe's blank shows.
        Map<String, Node> archives = zfs.get(n.archives(), 2, "type", ZfsNames.OF, ZfsNames.STATE);
        boolean rootExists = zfs.exists(n.root());
        Optional<String> interrupted = ZfsWipePlanner.interrupted(n, archives, rootExists);
        if (interrupted.isEmpty()) {
            check.check(n);
        } else {
            // The root is missing or half made because a wipe was cut short: only stores matter now.
            check.refuseStoresMountedFromRoot(n);
        }
        return new ZfsWipePlanner.Observation(leftovers.of(n), archives,
                rootExists ? zfs.all(n.root(), Zfs.ALL_BELOW) : Map.of(),
                interrupted.isPresent() ? zfs.all(interrupted.get(), Zfs.ALL_BELOW) : Map.of());
    }

    /** The plan from what the pool holds now. */
    ZfsWipePlanner.Plan plan(ZfsNames n, WipeRequest request) throws IOException {
        return ZfsWipePlanner.plan(n, observe(n), request);
    }

    /** Whether a wipe was cut short: then the root may be missing, and check has nothing to say. */
    boolean interrupted(ZfsNames n) throws RootException {
        return ZfsWipePlanner.interrupted(n, zfs.get(n.archives(), 2, "type", ZfsNames.OF, ZfsNames.STATE),
                zfs.exists(n.root())).isPresent();
    }
}
