package dev.lethe.root.overlay;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.config.RootConfig;
import dev.lethe.diff.Change;
import dev.lethe.diff.Filter;
import dev.lethe.diff.UpperDiff;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy;
import dev.lethe.root.WipePlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The overlay strategy: the real root stays read-only as the lower layer of an overlayfs, every boot
 * writes into a fresh, empty upper directory on a persistent filesystem, and the previous boot's upper
 * directory <em>is</em> the archive of what that boot changed. Works over any filesystem (ext4
 * included), and a wipe costs the same whatever the root holds: two empty directories and one symlink
 * replaced.
 *
 * <p>Under {@code upper}: {@code boots/<UTC second>/{upper,work,DEGRADED}} and a {@code current}
 * symlink to the boot directory the next mount uses ({@link Layout}). A wipe is a list of {@code
 * OverlayStep}s planned from what is there ({@link OverlayWipePlanner}, pure) and performed as
 * planned ({@link OverlayWipeExecutor}); archives are listed, read and destroyed by {@link
 * OverlayArchives}; {@link OverlayCheck} says what is refused. The on-disk protocol, the resume rules
 * and the reasons for each choice are in docs/strategies.md, "Overlay internals".
 */
public final class OverlayStrategy implements RootStrategy {

    /** Options that keep every upper self-contained and readable on its own (no redirects, no metacopy stubs). */
    static final String FEATURES = "redirect_dir=off,metacopy=off,index=off";

    private final Upper upper;
    private final OverlayArchives archives;

    public OverlayStrategy(RootConfig.Overlay config, RootContext context) {
        this.upper = new Upper(config, context);
        this.archives = new OverlayArchives(upper);
    }

    @Override
    public String name() {
        return "overlay";
    }

    /**
     * The overlay mount options for the current boot.
     *
     * @param lowerdir the read-only lower layer: the managed root's host path
     */
    public record MountOptions(String lowerdir, String upperdir, String workdir) {
        /** The {@code -o} argument of {@code mount -t overlay overlay -o ... /sysroot}. */
        public String text() {
            return "lowerdir=" + lowerdir + ",upperdir=" + upperdir + ",workdir=" + workdir + "," + FEATURES;
        }

        @Override
        public String toString() {
            return text();
        }
    }

    /**
     * The options to mount the current boot's overlay with, its directories resolved (not through the
     * symlink, so a later switch cannot change what a mounted overlay means); refuses if no wipe has made
     * a boot directory yet.
     */
    public MountOptions mountOptions() throws IOException {
        try (Layout layout = Layout.open(upper)) {
            BootName current = layout.readState().current().orElseThrow(() -> new RootException("there is no "
                    + upper.show(Layout.CURRENT) + " yet: run lethe wipe once to make the first boot directory"));
            Path boot = upper.host().resolve(Layout.BOOTS).resolve(current.id());
            return new MountOptions(upper.lower().toString(), boot.resolve(Layout.UPPER).toString(),
                    boot.resolve(Layout.WORK).toString());
        }
    }

    /**
     * An overlay boot writes into its upper directory, not into the read-only lower root: its activation
     * mark is there too, so whoever decides {@code degraded} must look there.
     */
    @Override
    public Optional<Path> writtenRoot(Path hostRoot) throws IOException {
        try {
            return Optional.of(Path.of(mountOptions().upperdir()));
        } catch (RootException noCurrentYet) {
            return Optional.empty();  // the first wipe: no boot has written anything yet
        }
    }

    /** The current upper directory is exactly what this boot wrote: it is walked alone, whatever the lower's size. */
    @Override
    public Optional<List<Change>> diff(Path hostRoot, Filter filter) throws IOException {
        Optional<Path> written = writtenRoot(hostRoot);
        if (written.isEmpty()) {
            return Optional.of(List.of());
        }
        return Optional.of(UpperDiff.of(upper.context().sys(), written.get().toString(), upper.lower().toString(), filter));
    }

    /**
     * An archive is the upper directory of the boot it kept, compared with the lower root as it is now
     * (the lower changes only when the administrator updates it on purpose).
     */
    @Override
    public List<Change> diffArchive(ArchiveRef archive, Filter filter) throws IOException {
        return read(archive, files -> UpperDiff.of(upper.context().sys(), files.toString(),
                upper.lower().toString(), filter));
    }

    @Override
    public void check() throws IOException {
        new OverlayCheck(upper).check();
    }

    // ----------------------------------------------------------------------------------------- wipe

    @Override
    public boolean archivesOnWipe() throws IOException {
        check();
        try (Layout layout = Layout.open(upper)) {
            // The planner's test: no boot directory yet, or one never mounted, leaves nothing to archive.
            return layout.readState().currentBoot().filter(boot -> !boot.fresh()).isPresent();
        }
    }

    @Override
    public WipePlan planWipe(WipeRequest request) throws IOException {
        check();
        try (Layout layout = Layout.open(upper)) {
            return OverlayWipePlanner.plan(upper.host().toString(), layout.readState(), request).asWipePlan();
        }
    }

    /** Plans under the lock, from the disk as it is (an interrupted wipe's leftovers included), and performs that plan. */
    @Override
    public WipeResult wipe(WipeRequest request) throws IOException {
        check();
        try (Layout layout = Layout.open(upper)) {
            layout.lock();
            OverlayWipePlanner.Plan plan = OverlayWipePlanner.plan(upper.host().toString(), layout.readState(), request);
            new OverlayWipeExecutor(layout).perform(plan.steps());
            return new WipeResult(plan.archive().orElse(null), plan.asWipePlan().steps());
        }
    }

    // ------------------------------------------------------------------------------------- archives

    @Override
    public List<ArchiveRef> archives() throws IOException {
        return archives.list();
    }

    @Override
    public long sizeOf(ArchiveRef archive) throws IOException {
        return archives.sizeOf(archive);
    }

    /** Hands over the archived upper/ as it is, no mount needed: whole copies, whiteouts, opaque directories. */
    @Override
    public <T> T read(ArchiveRef archive, ArchiveReader<T> reader) throws IOException {
        return archives.read(archive, reader);
    }

    /** Only a listed archive that no mounted overlay uses; through descriptors, never across a mount point. */
    @Override
    public void destroy(ArchiveRef archive) throws IOException {
        archives.destroy(archive);
    }

    /** The lower root as it is on disk (see {@link Upper#lower()}). */
    Path lower() throws IOException {
        return upper.lower();
    }
}
