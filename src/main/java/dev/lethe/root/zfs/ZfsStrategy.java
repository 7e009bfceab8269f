package dev.lethe.root.zfs;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.config.RootConfig;
import dev.lethe.diff.Change;
import dev.lethe.diff.Filter;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootStrategy;
import dev.lethe.root.WipePlan;
import dev.lethe.root.WipeStep;
import dev.lethe.root.ZfsStep;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The zfs strategy: the root is a dataset ({@code [root] dataset = "pool/root"}) with a snapshot
 * {@code pool/root@blank} the user took once while the root was fresh ({@code blank} names it). A
 * wipe never rolls back: it renames the root into {@code POOL/lethe-archives/<leaf>.<stamp>[.degraded]},
 * marks it, clones the blank as the new root and promotes it, then hardens the archive
 * ({@link ZfsWipePlanner} plans it from what {@link ZfsInspection} reads, {@link ZfsCommands} says
 * the commands). {@link ZfsArchives} lists, proves, reads and destroys the archives; {@link ZfsDiff}
 * compares with the blank. docs/strategies.md has the protocol, its crash safety and its limits.
 *
 * <p>Wiping the live root fails at the unmount: the wipe belongs in the initrd, before the root is
 * mounted. zfs-fuse tears a filesystem down after its unmount has returned and calls it "busy" until
 * then, so a command refused with "dataset is busy" is tried again for up to 30 s ({@link Zfs#run}).
 */
public final class ZfsStrategy implements RootStrategy {

    private final RootConfig.Zfs config;
    private final RootContext context;
    private final Zfs zfs;
    private final ZfsCheck check;
    private final ZfsArchives archives;
    private final ZfsInspection inspection;

    public ZfsStrategy(RootConfig.Zfs config, RootContext context) {
        this.config = config;
        this.context = context;
        this.zfs = new Zfs(context.tools());
        this.check = new ZfsCheck(config, context, zfs);
        this.archives = new ZfsArchives(context, zfs, check);
        this.inspection = new ZfsInspection(zfs, check);
    }

    @Override
    public String name() {
        return "zfs";
    }

    private ZfsNames names() {
        return ZfsNames.of(config);
    }

    private ZfsDiff diff(ZfsNames n) {
        return new ZfsDiff(n, context);
    }

    @Override
    public void check() throws IOException {
        ZfsNames n = names();
        if (inspection.interrupted(n)) {
            // The root is missing or half made because a wipe was cut short: wipe finishes it.
            check.refuseStoresMountedFromRoot(n);
            return;
        }
        check.check(n);
    }

    /** The root's datasets where they are mounted below {@code hostRoot}, against clones of their blanks: see {@link ZfsDiff}. */
    @Override
    public Optional<List<Change>> diff(Path hostRoot, Filter filter) throws IOException {
        ZfsNames n = names();
        return Optional.of(diff(n).of(diff(n).live(n, hostRoot, filter), filter));
    }

    /** The archive's datasets, mounted read-only, against clones of the root's blanks they were made from. */
    @Override
    public List<Change> diffArchive(ArchiveRef archive, Filter filter) throws IOException {
        ZfsNames n = names();
        String dataset = archives.proven(n, archive);
        return read(archive, files -> diff(n).of(diff(n).archived(n, dataset, files, filter), filter));
    }

    @Override
    public WipePlan planWipe(WipeRequest request) throws IOException {
        ZfsNames n = names();
        ZfsWipePlanner.Plan plan = inspection.plan(n, request);
        return new WipePlan(plan.steps(), n.ref(plan.archive()));
    }

    /** Performs the very steps {@link #planWipe} gives, each zfs command a crash point. */
    @Override
    public WipeResult wipe(WipeRequest request) throws IOException {
        ZfsNames n = names();
        ZfsWipePlanner.Plan plan = inspection.plan(n, request);
        List<WipeStep> done = new ArrayList<>();
        for (WipeStep step : plan.steps()) {
            if (!(step instanceof ZfsStep zfsStep)) {
                throw new IllegalStateException("the zfs planner gave a step that is not a zfs step: " + step);
            }
            for (List<String> command : ZfsCommands.of(zfsStep)) {
                zfs.run(command);
            }
            done.add(step);
        }
        return new WipeResult(n.ref(plan.archive()).orElseThrow(), done);
    }

    @Override
    public List<ArchiveRef> archives() throws IOException {
        return archives.list(names());
    }

    @Override
    public long sizeOf(ArchiveRef archive) throws IOException {
        return archives.sizeOf(names(), archive);
    }

    @Override
    public <T> T read(ArchiveRef archive, ArchiveReader<T> reader) throws IOException {
        return archives.read(names(), archive, reader);
    }

    @Override
    public void destroy(ArchiveRef archive) throws IOException {
        archives.destroy(names(), archive);
    }
}
