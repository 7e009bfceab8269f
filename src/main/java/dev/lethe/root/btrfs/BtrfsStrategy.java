package dev.lethe.root.btrfs;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.config.RootConfig;
import dev.lethe.diff.Change;
import dev.lethe.diff.Filter;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootStrategy;
import dev.lethe.root.WipePlan;
import dev.lethe.root.WipeStep;
import dev.lethe.root.btrfs.Mounted.Access;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The btrfs root: a subvolume ({@code @root}) recreated at every wipe as a writable snapshot of a
 * read-only blank one ({@code @root-blank}); the old root is kept by renaming it into {@code
 * lethe-archives} on the top level. The parts: {@link Inspection} reads the disk ({@link Layout}),
 * {@link BtrfsWipePlanner} plans the wipe from it as {@link WipeStep}s, {@link StepExecutor}
 * performs them; {@link Archives} and {@link BtrfsDiff} serve the archives. The protocol and why it
 * is crash-safe: docs/strategies.md ("The btrfs wipe").
 */
public final class BtrfsStrategy implements RootStrategy {

    private final RootContext context;
    private final Inspection inspection;
    private final Archives archives;
    private final BtrfsDiff diff;

    public BtrfsStrategy(RootConfig.Btrfs config, RootContext context) {
        this.context = context;
        Btrfs btrfs = new Btrfs(context.tools(), context.sys());
        this.inspection = new Inspection(config, context, btrfs);
        this.archives = new Archives(context, btrfs, inspection);
        this.diff = new BtrfsDiff(context, inspection, archives);
    }

    @Override
    public String name() {
        return "btrfs";
    }

    @Override
    public void check() throws IOException {
        Names names = inspection.names();
        try (Mounted top = inspection.top(names, Access.READ_ONLY)) {
            BtrfsWipePlanner.check(names, inspection.inspect(names, top));
        }
    }

    @Override
    public WipePlan planWipe(WipeRequest request) throws IOException {
        Names names = inspection.names();
        try (Mounted top = inspection.top(names, Access.READ_ONLY)) {
            return BtrfsWipePlanner.plan(names, inspection.inspect(names, top), request);
        }
    }

    /** Re-observes the disk, plans, and performs that very plan one step at a time. */
    @Override
    public WipeResult wipe(WipeRequest request) throws IOException {
        Names names = inspection.names();
        try (Mounted top = inspection.top(names, Access.READ_WRITE)) {
            WipePlan plan = BtrfsWipePlanner.plan(names, inspection.inspect(names, top), request);
            StepExecutor executor = new StepExecutor(context, top);
            for (WipeStep step : plan.steps()) {
                executor.perform(step);
            }
            return new WipeResult(plan.archive().orElse(null), plan.steps());
        }
    }

    @Override
    public List<ArchiveRef> archives() throws IOException {
        return archives.archives();
    }

    @Override
    public Optional<List<Change>> diff(Path hostRoot, Filter filter) throws IOException {
        return diff.diff(hostRoot, filter);
    }

    @Override
    public List<Change> diffArchive(ArchiveRef archive, Filter filter) throws IOException {
        return diff.diffArchive(archive, filter);
    }

    @Override
    public long sizeOf(ArchiveRef archive) {
        // Only quotas (qgroups) know a subvolume's size cheaply, and they cost on every write; not assumed.
        return -1;
    }

    @Override
    public <T> T read(ArchiveRef archive, ArchiveReader<T> reader) throws IOException {
        return archives.read(archive, reader);
    }

    @Override
    public void destroy(ArchiveRef archive) throws IOException {
        archives.destroy(archive);
    }
}
