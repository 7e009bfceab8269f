package dev.lethe.root.overlay;

import static dev.lethe.linux.Syscalls.bytes;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.config.RootConfig;
import dev.lethe.diff.Change;
import dev.lethe.diff.Filter;
import dev.lethe.diff.UpperDiff;
import dev.lethe.exec.copy.TreeRemover;
import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.FileType;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Fs;
import dev.lethe.linux.MountInfo;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.linux.UnsafePathException;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.LetheFiles;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy;
import dev.lethe.root.WipeStep;
import dev.lethe.root.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The overlay strategy: the real root stays read-only as the lower layer of an overlayfs, every boot
 * writes into a fresh, empty upper directory on a persistent filesystem, and the previous boot's
 * upper directory <em>is</em> the archive of what that boot changed. Works over any filesystem
 * (ext4 included) and the wipe costs the same whatever the root holds: it makes two empty
 * directories and replaces one symlink.
 *
 * <h2>Layout under {@code upper} (host path: the managed root + {@code upper})</h2>
 * <pre>
 *   boots/20261127T071502Z/upper/      what the boot of Nov 27 changed (an archive)
 *   boots/20261127T071502Z/work/       overlayfs' scratch directory for it
 *   boots/20261127T071502Z/DEGRADED    present if that boot did not finish activation
 *   boots/20261128T064410Z/{upper,work}/
 *   current -&gt; boots/20261128T064410Z   the boot directory the next mount uses
 * </pre>
 * A boot directory is named after the UTC second of the wipe that made it ({@link BootName}); the
 * name is the archive id and its creation time. Names only grow: if the clock is not past the
 * newest name (a lost RTC), the new directory is named one second after it, so name order is boot
 * order and "the newest archive" is always the last boot. {@code upper/} and {@code work/} are
 * siblings in one directory, so they are always on one filesystem, as overlayfs requires.
 * {@code boots/} is root-only (0700): archives hold copies of whatever the old roots held.
 *
 * <p>{@code current} is a relative symlink rather than a file naming the directory: it is replaced
 * atomically by writing {@code .current.new} and renaming it over {@code current} (then the
 * directory is fsynced), a POSIX initrd script reads it with {@code readlink} or simply mounts
 * {@code <upper>/current/upper}, and {@code ls -l} shows it. lethe itself never follows it: it reads
 * it with readlinkat and accepts only {@code boots/<a name lethe gives>}.
 *
 * <h2>Wipe</h2>
 * In order, each step durable (fsync) before the next:
 * <ol>
 * <li>if asked, mark the current boot directory degraded (below);</li>
 * <li>create {@code boots/<now>/} with empty {@code upper/} (owner and mode copied from the lower
 * root's top directory, because overlayfs shows the upper root's attributes as those of "/") and
 * {@code work/};</li>
 * <li>point {@code current} at it. The previous boot directory is now an archive.</li>
 * </ol>
 * Killed at any step and re-run, it converges without a second new directory and without touching
 * an archive: a boot directory that is the newest of all, is not current and has empty (or missing)
 * {@code upper/} and {@code work/} was being made by the interrupted wipe and is completed and used;
 * a {@code current} that is itself empty in both was never mounted (overlayfs creates
 * {@code work/work} at every mount), so the root is already fresh and the wipe does nothing — which
 * also makes a second wipe without a boot in between a no-op instead of an empty archive. A boot
 * directory with anything in it is never removed by a wipe.
 *
 * <p>A wipe may also run on a live system: it then prepares the next boot, and the running boot's
 * upper keeps receiving writes until shutdown, by then already listed as an archive. {@link
 * #destroy} refuses any directory that a mounted overlay uses as its upper.
 *
 * <h2>Degraded archives: a marker file, not a rename</h2>
 * A degraded archive has a {@code DEGRADED} file beside its {@code upper/} (outside it, so it is not
 * part of the archived root). The mark is written <em>before</em> {@code current} moves away, so
 * there is no instant at which that root is an archive without its mark, and the id never changes.
 * Renaming the directory to {@code <name>.degraded} would need a second rename after the switch
 * (a crash between them leaves an unmarked, prunable archive) or before it (a crash leaves
 * {@code current} dangling, and the next boot without an overlay).
 *
 * <p>Whoever decides {@code degraded} must look for a boot's activation mark in that boot's upper
 * ({@code mountOptions().upperdir()}), not on the lower root: everything an overlay boot writes,
 * its mark included, lands in its upper, and the lower never has it.
 *
 * <h2>Mounting</h2>
 * The initrd mounts {@code overlay -o }{@link #mountOptions()}: {@code lowerdir} is the managed root
 * (the real root, mounted read-only there), {@code upperdir} and {@code workdir} those of the current
 * boot, resolved (not through the symlink, so a later switch cannot change what a mounted overlay
 * means). The options add {@code redirect_dir=off,metacopy=off,index=off} whatever the kernel's
 * defaults, so every upper is self-contained and readable without a mount: a renamed lower directory
 * is copied up whole (no redirect xattr pointing into the lower) and a file whose metadata changed
 * carries its data (no metacopy stub).
 *
 * <h2>Reading and destroying archives</h2>
 * {@link #read} hands over the archived {@code upper/} as it is, no mount needed. It is the raw
 * overlayfs upper: files and directories the boot created or changed (whole copies), a deletion as
 * a whiteout (a character device 0/0 with the deleted name), and a directory deleted and created
 * anew as an opaque directory (xattr {@code trusted.overlay.opaque="y"}). What is absent from it
 * was unchanged from the lower root.
 *
 * <p>{@link #destroy} removes only a directory directly under {@code boots/} whose name is one
 * lethe gives, that is listed as an archive (never {@code current}, never the directory an
 * interrupted wipe was making) and that no mounted overlay uses. It first renames the directory to
 * {@code .destroying-<id>}, so a crash leaves either the whole archive listed or nothing listed, and
 * then deletes it with {@link TreeRemover}: through descriptors, never following a symlink, and
 * refusing before deleting anything if any part of the tree is a mount point or another filesystem.
 * {@code rm -rf --one-file-system} would skip a mount but delete everything around it, and resolves
 * paths by name. A leftover {@code .destroying-*} from a crash is finished by the next destroy.
 *
 * <h2>What {@link #check} refuses</h2>
 * (The config is checked when it is read, upper's own characters included.) An {@code upper} that is inside a store or contains one (archives
 * are pruned, and lethe never deletes data in a store); that does not exist (lethe does not create
 * it: if its filesystem were not mounted, it would be created on the root or in RAM), is not a
 * directory or is reached through a symlink; that is on tmpfs or ramfs (the archives would vanish
 * at power-off), on an overlay (the root itself) or on the lower root's own filesystem (the lower
 * must stay unchanged while mounted); a root path with characters the overlay option syntax cannot carry
 * ({@code , : \}); a missing lower root or configured device; a {@code boots} or {@code current}
 * that is not what lethe makes.
 */
public final class OverlayStrategy implements RootStrategy {

    static final String BOOTS = "boots";
    static final String CURRENT = "current";
    static final String UPPER = "upper";
    static final String WORK = "work";
    static final String DEGRADED = "DEGRADED";
    private static final String CURRENT_NEW = ".current.new";
    private static final String DESTROYING = ".destroying-";

    /** Options that keep every upper self-contained and readable on its own; see the class comment. */
    static final String FEATURES = "redirect_dir=off,metacopy=off,index=off";

    /** Filesystems that forget at power-off: an upper there archives nothing. */
    private static final Set<String> IN_MEMORY = Set.of("tmpfs", "ramfs");

    private static final long DIRECTORY = Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC;

    private final RootConfig.Overlay config;
    private final RootContext context;
    private final Syscalls sys;

    public OverlayStrategy(RootConfig.Overlay config, RootContext context) {
        this.config = config;
        this.context = context;
        this.sys = context.sys();
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

    /** The options to mount the current boot's overlay with; refuses if no wipe has made a boot directory yet. */
    public MountOptions mountOptions() throws IOException {
        try (Layout layout = openLayout()) {
            State state = layout.readState();
            BootName current = state.current().orElseThrow(() -> new RootException(
                    "there is no " + show(CURRENT) + " yet: run lethe wipe once to make the first boot directory"));
            Path boot = hostUpper().resolve(BOOTS).resolve(current.id());
            return new MountOptions(lower().toString(), boot.resolve(UPPER).toString(), boot.resolve(WORK).toString());
        }
    }

    // ---------------------------------------------------------------------------------------- check

    /** An overlay boot writes into its upper directory, not into the read-only lower root. */
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
        Optional<Path> upper = writtenRoot(hostRoot);
        if (upper.isEmpty()) {
            return Optional.of(List.of());
        }
        return Optional.of(UpperDiff.of(sys, upper.get().toString(), lower().toString(), filter));
    }

    /**
     * An archive is the upper directory of the boot it kept, compared with the lower root as it is now
     * (the lower changes only when the administrator updates it on purpose).
     */
    @Override
    public List<Change> diffArchive(ArchiveRef archive, Filter filter) throws IOException {
        return read(archive, upper -> UpperDiff.of(sys, upper.toString(), lower().toString(), filter));
    }

    @Override
    public void check() throws IOException {
        AbsolutePath upper = upper();
        for (AbsolutePath store : context.stores()) {
            if (upper.startsWith(store)) {
                throw refuse("upper " + upper + " is inside the store " + store + ": overlay archives are pruned, "
                        + "and lethe never deletes data in a store. Put upper on a persistent filesystem outside every "
                        + "store, such as a separate mount at /overlay");
            }
            if (store.startsWith(upper)) {
                throw refuse("upper " + upper + " contains the store " + store + ": overlay archives are pruned, and "
                        + "lethe never deletes data in a store. Put upper beside the store, not above it");
            }
        }
        Path lower = context.root();
        // upper itself was checked when the config was read (config.RootRules); the root comes from the command line.
        requireOptionSafe("the root", lower.toString());
        if (!Files.isDirectory(lower, LinkOption.NOFOLLOW_LINKS)) {
            throw refuse("the lower root " + lower + " does not exist or is not a directory");
        }
        if (config.device().isPresent()) {
            requireBlockDevice(config.device().get());
        }
        try (Layout layout = openLayout()) {
            Stat stat = fstat(layout.upperFd, hostUpper().toString());
            String type = filesystemType(stat);
            if (IN_MEMORY.contains(type)) {
                throw refuse("upper " + hostUpper() + " is on " + type + ", which forgets everything at power-off: "
                        + "the archives of old roots would be lost. Put upper on a disk filesystem (ext4, xfs, btrfs)");
            }
            if (type.equals("overlay")) {
                throw refuse("upper " + hostUpper() + " is on an overlay filesystem (the overlay root itself?): "
                        + "what is written there is forgotten at the next boot. Put upper on its own disk filesystem");
            }
            Stat lowerStat = statPath(lower);
            if (stat.device() == lowerStat.device()) {
                throw refuse("upper " + hostUpper() + " is on the same filesystem as the lower root " + lower
                        + ": the lower must stay unchanged while the overlay is mounted. Put upper on a separate "
                        + "filesystem mounted there");
            }
            layout.readState();  // a boots or current that lethe did not make is refused here too
        }
    }

    /**
     * The lower root as it is on disk. On a running overlay root the managed root is the merged view,
     * and the initrd stage leaves the real root mounted read-only at {@link LetheFiles#OVERLAY_LOWER}
     * under it; anywhere else (the real root mounted at --root, before the overlay) it is the managed
     * root itself.
     */
    Path lower() throws IOException {
        Path kept = context.root().resolve(LetheFiles.OVERLAY_LOWER.relativeTo(AbsolutePath.ROOT));
        if (Files.isDirectory(kept, LinkOption.NOFOLLOW_LINKS) && !MountInfo.read().at(kept.toString()).isEmpty()) {
            return kept;
        }
        return context.root();
    }

    private AbsolutePath upper() {
        return config.upper();
    }

    /** The host path of the configured upper directory ("/sysroot/overlay"). */
    private Path hostUpper() throws RootException {
        return context.root().resolve(upper().relativeTo(AbsolutePath.ROOT));
    }

    private RootException refuse(String problem) {
        return new RootException(config.origin() + ": " + problem);
    }

    /** overlayfs splits its options at "," and layers at ":"; a "\" escapes. Paths with them would be misread. */
    private void requireOptionSafe(String what, String hostPath) throws RootException {
        for (char c : new char[] {',', ':', '\\'}) {
            if (hostPath.indexOf(c) >= 0) {
                throw refuse(what + " " + hostPath + " contains '" + c + "', which overlay mount options cannot carry: "
                        + "choose a path without , : or \\");
            }
        }
    }

    private void requireBlockDevice(String device) throws IOException {
        Path path = Path.of(device);
        if (!Files.exists(path)) {
            throw refuse("device " + device + " does not exist: is the disk attached and its label or UUID right?");
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode");  // follows /dev/disk/by-* links, as mount does
        if ((mode & FileType.S_IFMT) != FileType.S_IFBLK) {
            throw refuse("device " + device + " is not a block device");
        }
    }

    /** The filesystem type of the mount that holds {@code stat}, from the mount table. */
    private String filesystemType(Stat stat) throws IOException {
        for (MountInfo.Mount mount : MountInfo.read().mounts()) {
            if (mount.id() == stat.mountId()) {
                return mount.fsType();
            }
        }
        throw refuse("cannot find the mount of upper " + hostUpper() + " in /proc/self/mountinfo");
    }

    private Stat statPath(Path path) throws IOException {
        try {
            return sys.statx(Flags.AT_FDCWD, bytes(path.toString()), 0);
        } catch (ErrnoException e) {
            throw e.withPath(path.toString());
        }
    }

    private Stat fstat(int fd, String shown) throws ErrnoException {
        try {
            return sys.statx(fd, new byte[0], Flags.AT_EMPTY_PATH);
        } catch (ErrnoException e) {
            throw e.withPath(shown);
        }
    }

    // ----------------------------------------------------------------------------------------- wipe

    @Override
    public boolean archivesOnWipe() throws IOException {
        check();
        try (Layout layout = openLayout()) {
            // The same test as plan(): no boot directory yet, or one never mounted, leaves nothing to archive.
            return layout.readState().currentBoot().filter(boot -> !boot.fresh()).isPresent();
        }
    }

    @Override
    public dev.lethe.root.WipePlan planWipe(WipeRequest request) throws IOException {
        check();
        try (Layout layout = openLayout()) {
            WipePlan plan = plan(layout.readState(), request);
            return new dev.lethe.root.WipePlan(said(plan.steps()), plan.archive());
        }
    }

    /** Interim, until overlay's steps are typed. */
    private static List<WipeStep> said(List<String> sentences) {
        return sentences.stream().<WipeStep>map(WipeStep.Said::new).toList();
    }

    @Override
    public WipeResult wipe(WipeRequest request) throws IOException {
        check();
        try (Layout layout = openLayout()) {
            layout.lock();
            WipePlan plan = plan(layout.readState(), request);
            if (plan.next().isEmpty()) {
                return new WipeResult(plan.archive().orElse(null), said(plan.steps()));
            }
            BootName next = plan.next().get();
            if (plan.markDegraded()) {
                markDegraded(layout, plan.previous().orElseThrow().name());
            }
            makeDirectory(layout.upperFd, BOOTS, 0700, show(BOOTS));
            try (Descriptor boots = layout.openBoots()) {
                makeDirectory(boots.value(), next.id(), 0700, show(BOOTS, next.id()));
                try (Descriptor boot = openDirectory(boots.value(), next.id(), show(BOOTS, next.id()))) {
                    makeUpper(boot.value(), next);
                    makeDirectory(boot.value(), WORK, 0700, show(BOOTS, next.id(), WORK));
                    sync(boot.value(), show(BOOTS, next.id()));
                }
            }
            switchCurrent(layout, next);
            return new WipeResult(plan.archive().orElse(null), said(plan.steps()));
        }
    }

    /**
     * What a wipe does from {@code state}: {@code next} is empty when there is nothing to do.
     *
     * @param archive the archive the wipe makes, or (when it has nothing to do) the newest one
     */
    private record WipePlan(Optional<Boot> previous, boolean markDegraded, Optional<BootName> next,
                            Optional<ArchiveRef> archive, List<String> steps) {}

    private WipePlan plan(State state, WipeRequest request) throws RootException {
        List<String> steps = new ArrayList<>();
        Optional<Boot> previous = state.currentBoot();
        if (previous.isPresent() && previous.get().fresh()) {
            steps.add("keep boot directory " + previous.get().name() + " as current: its upper/ and work/ are empty, so "
                    + "no overlay was ever mounted on it and the root is already fresh; nothing to archive"
                    + (request.degraded() ? " or to mark degraded (the previous boot did not use the overlay at all)" : ""));
            return new WipePlan(previous, false, Optional.empty(), state.archives().stream().findFirst(), steps);
        }
        boolean markDegraded = request.degraded() && previous.isPresent() && !previous.get().degraded();
        if (markDegraded) {
            steps.add("mark boot directory " + previous.get().name() + " degraded (" + show(BOOTS, previous.get().name().id(),
                    DEGRADED) + "): its boot did not finish activation, so it is kept until pruned by id");
        }
        BootName next;
        Optional<Boot> pending = state.pending();
        if (pending.isPresent()) {
            next = pending.get().name();
            steps.add("complete boot directory " + next + " (" + show(BOOTS, next.id())
                    + "), left empty by an interrupted wipe, with empty upper/ and work/");
        } else {
            next = BootName.after(request.now(), state.newest());
            if (!next.equals(BootName.at(request.now()))) {
                steps.add("name the new boot directory " + next + ", one second after the newest one, because the clock ("
                        + BootName.at(request.now()) + ") is not past it");
            }
            steps.add("create boot directory " + next + " (" + show(BOOTS, next.id()) + ") with empty upper/ and work/");
        }
        if (previous.isPresent()) {
            steps.add("point " + show(CURRENT) + " at boots/" + next + ": boot directory " + previous.get().name()
                    + " becomes an archive of what its boot changed");
        } else {
            steps.add("point " + show(CURRENT) + " at boots/" + next + " (the first boot directory: there is no earlier "
                    + "overlay root to archive)");
        }
        Optional<ArchiveRef> archive = previous.map(p -> new ArchiveRef(p.name().id(), p.name().created(),
                p.degraded() || request.degraded()));
        return new WipePlan(previous, markDegraded, Optional.of(next), archive, steps);
    }

    /** Writes the DEGRADED marker beside the boot's upper/; its presence is the mark, the text explains it. */
    private void markDegraded(Layout layout, BootName boot) throws IOException {
        String shown = show(BOOTS, boot.id(), DEGRADED);
        byte[] text = ("The boot that used this upper directory did not finish activation (a store was missing or a "
                + "mount failed), so what it wrote may be someone's data.\nlethe keeps this archive until it is pruned "
                + "by id: lethe archive prune " + boot.id() + "\n").getBytes(StandardCharsets.UTF_8);
        try (Descriptor boots = layout.openBoots()) {
            try (Descriptor bootDir = openDirectory(boots.value(), boot.id(), show(BOOTS, boot.id()));
                 Descriptor fd = sys.open(bootDir.value(), bytes(DEGRADED),
                         Flags.O_WRONLY | Flags.O_CREAT | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0644)) {
                sys.pwriteFully(fd.value(), text, text.length, 0);
                sys.fsync(fd.value());
                sync(bootDir.value(), show(BOOTS, boot.id()));
            } catch (ErrnoException e) {
                throw e.withPath(shown);
            }
        }
    }

    /** The new upper/, with the owner and mode of the lower root's top directory: overlayfs shows them as "/". */
    private void makeUpper(int bootFd, BootName boot) throws IOException {
        String shown = show(BOOTS, boot.id(), UPPER);
        makeDirectory(bootFd, UPPER, 0755, shown);
        Stat lower = statPath(lower());
        try {
            sys.fchownat(bootFd, bytes(UPPER), lower.uid(), lower.gid(), Flags.AT_SYMLINK_NOFOLLOW);
            sys.fchmodat(bootFd, bytes(UPPER), lower.permissions() & 07777, 0);
        } catch (ErrnoException e) {
            throw e.withPath(shown);
        }
    }

    /** mkdirat that accepts a directory already there (made by an interrupted run), then fsyncs the parent. */
    private void makeDirectory(int parentFd, String name, int mode, String shown) throws IOException {
        try {
            sys.mkdirat(parentFd, bytes(name), mode);
        } catch (ErrnoException e) {
            if (!e.is(Errno.EEXIST)) {
                throw e.withPath(shown);
            }
            Stat there = lstat(parentFd, name, shown).orElseThrow(() -> e.withPath(shown));
            if (!there.isDirectory()) {
                throw new RootException(shown + " is a " + there.typeWord() + "; lethe expected a directory it made. "
                        + "Move it away, then wipe again");
            }
            return;
        }
        sync(parentFd, shown);
    }

    /** Points current at {@code next}: a new symlink renamed over the old one, so current is always whole. */
    private void switchCurrent(Layout layout, BootName next) throws IOException {
        int fd = layout.upperFd;
        Optional<Stat> stale = lstat(fd, CURRENT_NEW, show(CURRENT_NEW));
        try {
            if (stale.isPresent()) {
                if (!stale.get().isSymlink()) {
                    throw new RootException(show(CURRENT_NEW) + " is a " + stale.get().typeWord() + ", not the symlink "
                            + "lethe leaves there when interrupted; move it away, then wipe again");
                }
                sys.unlinkat(fd, bytes(CURRENT_NEW), 0);
            }
            sys.symlinkat(bytes(BOOTS + "/" + next.id()), fd, bytes(CURRENT_NEW));
            sys.renameat2(fd, bytes(CURRENT_NEW), fd, bytes(CURRENT), 0);
        } catch (ErrnoException e) {
            throw e.withPath(show(CURRENT));
        }
        sync(fd, hostUpper().toString());
    }

    // ------------------------------------------------------------------------------------- archives

    @Override
    public List<ArchiveRef> archives() throws IOException {
        try (Layout layout = openLayout()) {
            return layout.readState().archives();
        }
    }

    @Override
    public long sizeOf(ArchiveRef archive) throws IOException {
        Path boot = archiveDirectory(archive);
        // du counts blocks (what pruning frees), each hard link once, and stays on this filesystem (-x).
        Tools.Result du = context.tools().tryRun(List.of("du", "-s", "-x", "-B1", boot.toString()));
        if (du.exit() != 0) {
            throw new RootException("du -s -x -B1 " + boot + " failed (exit " + du.exit() + "): " + du.output().strip());
        }
        return Long.parseLong(du.output().strip().split("\\s+")[0]);
    }

    @Override
    public <T> T read(ArchiveRef archive, ArchiveReader<T> reader) throws IOException {
        return reader.read(archiveDirectory(archive).resolve(UPPER));
    }

    /** The host path of a listed archive's boot directory; anything else is refused. */
    private Path archiveDirectory(ArchiveRef archive) throws IOException {
        try (Layout layout = openLayout()) {
            requireArchive(layout.readState(), archive.id());
            return hostUpper().resolve(BOOTS).resolve(archive.id());
        }
    }

    private Boot requireArchive(State state, String id) throws IOException {
        if (BootName.parse(id).isEmpty()) {
            throw new RootException(id + " is not an overlay archive: lethe names boot directories like 20261128T214500Z");
        }
        if (state.current().isPresent() && state.current().get().id().equals(id)) {
            throw new RootException(id + " is the current boot directory (" + show(CURRENT) + "), the upper layer the "
                    + "root uses; it is not an archive, and lethe never destroys it");
        }
        if (state.pending().isPresent() && state.pending().get().name().id().equals(id)) {
            throw new RootException(id + " is the boot directory an interrupted wipe was making, not an archive; the "
                    + "next wipe uses it");
        }
        return state.boot(id).orElseThrow(() -> new RootException("no overlay archive " + id + " in " + show(BOOTS)
                + "; lethe archive list shows them"));
    }

    @Override
    public void destroy(ArchiveRef archive) throws IOException {
        try (Layout layout = openLayout()) {
            layout.lock();
            State state = layout.readState();
            if (state.current().isEmpty()) {
                throw new RootException("there is no " + show(CURRENT) + ", so lethe cannot prove that " + archive.id()
                        + " is not the upper layer in use; it destroys nothing until a wipe has set current");
            }
            requireArchive(state, archive.id());
            requireNotMounted(archive.id());
            try (Descriptor boots = layout.openBoots()) {
                int bootsFd = boots.value();
                finishInterruptedDestroys(bootsFd);
                String doomed = DESTROYING + archive.id();
                try {
                    sys.renameat2(bootsFd, bytes(archive.id()), bootsFd, bytes(doomed), Flags.RENAME_NOREPLACE);
                } catch (ErrnoException e) {
                    throw e.withPath(show(BOOTS, archive.id()) + " -> " + doomed);
                }
                sync(bootsFd, show(BOOTS));
                try {
                    TreeRemover.remove(sys, bootsFd, bytes(doomed));
                } catch (IOException e) {
                    // TreeRemover checks the whole tree before it deletes anything: a refusal left it whole, so list it again.
                    restoreName(bootsFd, doomed, archive.id());
                    throw new RootException("cannot destroy overlay archive " + archive.id() + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** A mounted overlay whose upperdir is this archive's (a wipe ran on a live system): destroying it would wipe that root. */
    private void requireNotMounted(String id) throws IOException {
        String suffix = "/" + BOOTS + "/" + id + "/" + UPPER;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] tail = line.split(" - ", 2);
            String[] fields = tail.length == 2 ? tail[1].split(" ") : new String[0];
            if (fields.length < 3 || !fields[0].equals("overlay")) {
                continue;
            }
            for (String option : fields[2].split(",")) {
                if (option.startsWith("upperdir=") && option.endsWith(suffix)) {
                    throw new RootException(id + " is the upper layer of a mounted overlay (" + option + "): that root "
                            + "is still running on it. Destroy it after the next boot");
                }
            }
        }
    }

    /** Removes what a destroy killed midway left: {@code .destroying-<id>} names only lethe gives. */
    private void finishInterruptedDestroys(int bootsFd) throws IOException {
        for (Syscalls.DirEntry entry : sys.listDirectory(bootsFd)) {
            String name = entry.text();
            if (name.startsWith(DESTROYING) && BootName.parse(name.substring(DESTROYING.length())).isPresent()) {
                TreeRemover.remove(sys, bootsFd, entry.name());
            }
        }
    }

    private void restoreName(int bootsFd, String doomed, String id) {
        try {
            sys.renameat2(bootsFd, bytes(doomed), bootsFd, bytes(id), Flags.RENAME_NOREPLACE);
            sys.fsync(bootsFd);
        } catch (ErrnoException ignored) {
            // The caller's error says what went wrong; the directory keeps its .destroying- name.
        }
    }

    // ---------------------------------------------------------------------------------------- state

    /**
     * One boot directory.
     *
     * @param fresh    its upper/ and work/ are empty or missing: no overlay was ever mounted on it
     * @param degraded it has the DEGRADED marker
     */
    record Boot(BootName name, boolean fresh, boolean degraded) {}

    /**
     * What is under upper now.
     *
     * @param boots   every boot directory, oldest first
     * @param current the one {@code current} points at
     */
    record State(List<Boot> boots, Optional<BootName> current) {

        Optional<Boot> boot(String id) {
            return boots.stream().filter(b -> b.name().id().equals(id)).findFirst();
        }

        Optional<Boot> currentBoot() {
            return current.flatMap(c -> boot(c.id()));
        }

        Optional<BootName> newest() {
            return boots.isEmpty() ? Optional.empty() : Optional.of(boots.getLast().name());
        }

        /**
         * The directory an interrupted wipe was making: the newest of all (a wipe only makes names past every
         * other), not current, and fresh.
         */
        Optional<Boot> pending() {
            if (boots.isEmpty()) {
                return Optional.empty();
            }
            Boot newest = boots.getLast();
            boolean isCurrent = current.isPresent() && current.get().equals(newest.name());
            return newest.fresh() && !isCurrent ? Optional.of(newest) : Optional.empty();
        }

        /** Every boot directory but current and pending, newest first. */
        List<ArchiveRef> archives() {
            Optional<Boot> pending = pending();
            return boots.reversed().stream()
                    .filter(b -> current.isEmpty() || !current.get().equals(b.name()))
                    .filter(b -> pending.isEmpty() || !pending.get().equals(b))
                    .map(b -> new ArchiveRef(b.name().id(), b.name().created(), b.degraded()))
                    .toList();
        }
    }

    /** The configured upper directory, opened without following any symlink on the way, and what is in it. */
    private final class Layout implements AutoCloseable {
        final Fs fs;
        final int upperFd;

        Layout(Fs fs, int upperFd) {
            this.fs = fs;
            this.upperFd = upperFd;
        }

        /** Serialises wipes and destroys on one upper; the lock goes with the process, even when it is killed. */
        void lock() throws ErrnoException {
            sys.flock(upperFd, Flags.LOCK_EX);
        }

        Descriptor openBoots() throws IOException {
            return openDirectory(upperFd, BOOTS, show(BOOTS));
        }

        State readState() throws IOException {
            Optional<Stat> boots = lstat(upperFd, BOOTS, show(BOOTS));
            List<Boot> found = new ArrayList<>();
            if (boots.isPresent()) {
                if (!boots.get().isDirectory()) {
                    throw new RootException(show(BOOTS) + " is a " + boots.get().typeWord() + "; lethe keeps its boot "
                            + "directories there. Move it away, or choose another upper");
                }
                try (Descriptor bootsFd = openBoots()) {
                    for (Syscalls.DirEntry entry : sys.listDirectory(bootsFd.value())) {
                        Optional<BootName> name = BootName.parse(entry.text());
                        if (name.isPresent()) {
                            readBoot(bootsFd.value(), name.get()).ifPresent(found::add);
                        }
                    }
                }
            }
            found.sort(Comparator.comparing(Boot::name));
            return new State(List.copyOf(found), readCurrent(found));
        }

        /** A boot directory, or empty if the name is taken by something that is not a directory (not lethe's). */
        private Optional<Boot> readBoot(int bootsFd, BootName name) throws IOException {
            String shown = show(BOOTS, name.id());
            Optional<Stat> stat = lstat(bootsFd, name.id(), shown);
            if (stat.isEmpty() || !stat.get().isDirectory()) {
                return Optional.empty();
            }
            try (Descriptor boot = openDirectory(bootsFd, name.id(), shown)) {
                int bootFd = boot.value();
                boolean fresh = isEmptyOrMissing(bootFd, UPPER, shown) && isEmptyOrMissing(bootFd, WORK, shown);
                boolean degraded = lstat(bootFd, DEGRADED, shown).isPresent();
                return Optional.of(new Boot(name, fresh, degraded));
            }
        }

        private boolean isEmptyOrMissing(int bootFd, String name, String shownBoot) throws IOException {
            Descriptor fd;
            try {
                fd = sys.open(bootFd, bytes(name), DIRECTORY, 0);
            } catch (ErrnoException e) {
                if (e.is(Errno.ENOENT)) {
                    return true;
                }
                if (e.is(Errno.ENOTDIR) || e.is(Errno.ELOOP)) {
                    return false;  // something else is there: content, never taken for an empty directory
                }
                throw e.withPath(shownBoot + "/" + name);
            }
            try (fd) {
                return !sys.hasEntries(fd.value());
            }
        }

        /** Reads current without following it; only {@code boots/<an existing boot directory>} is accepted. */
        private Optional<BootName> readCurrent(List<Boot> boots) throws IOException {
            String target;
            try {
                target = new String(sys.readlinkat(upperFd, bytes(CURRENT)), StandardCharsets.UTF_8);
            } catch (ErrnoException e) {
                if (e.is(Errno.ENOENT)) {
                    return Optional.empty();
                }
                if (e.is(Errno.EINVAL)) {
                    throw new RootException(show(CURRENT) + " is not a symlink; lethe keeps a symlink to the boot directory "
                            + "in use there. Move it away, then wipe again");
                }
                throw e.withPath(show(CURRENT));
            }
            Optional<BootName> name = target.startsWith(BOOTS + "/")
                    ? BootName.parse(target.substring(BOOTS.length() + 1)) : Optional.empty();
            if (name.isEmpty() || boots.stream().noneMatch(b -> b.name().equals(name.get()))) {
                throw new RootException(show(CURRENT) + " points to " + target + ", which is not a boot directory lethe "
                        + "made. Point it at the one to use (ln -sfn boots/NAME current), or remove it so that the next "
                        + "wipe starts a new one (every boot directory is then kept as an archive)");
            }
            return name;
        }

        @Override
        public void close() {
            sys.close(upperFd);
            fs.close();
        }
    }

    private Layout openLayout() throws IOException {
        AbsolutePath upper = upper();
        Fs fs;
        try {
            fs = Fs.open(sys, context.root().toString());
        } catch (ErrnoException e) {
            throw refuse("the lower root " + context.root() + " cannot be opened: " + e.getMessage());
        }
        try {
            Fs.Fd fd = fs.open(upper, Flags.O_RDONLY | Flags.O_DIRECTORY);
            return new Layout(fs, fd.value());
        } catch (ErrnoException e) {
            fs.close();
            if (e.is(Errno.ENOENT)) {
                throw refuse("upper " + hostUpper() + " does not exist. Create it on a persistent filesystem; lethe does "
                        + "not, because if that filesystem were not mounted it would land on the root or in RAM");
            }
            if (e.is(Errno.ENOTDIR)) {
                throw refuse("upper " + hostUpper() + " is not a directory");
            }
            throw refuse("upper " + hostUpper() + " cannot be opened: " + e.getMessage());
        } catch (UnsafePathException e) {
            fs.close();
            throw refuse("upper " + hostUpper() + " is reached through a symbolic link (" + e.getMessage() + "); write "
                    + "the real path");
        } catch (IOException | RuntimeException e) {
            fs.close();
            throw e;
        }
    }

    // -------------------------------------------------------------------------------------- helpers

    private Descriptor openDirectory(int parentFd, String name, String shown) throws ErrnoException {
        try {
            return sys.open(parentFd, bytes(name), DIRECTORY, 0);
        } catch (ErrnoException e) {
            throw e.withPath(shown);
        }
    }

    private Optional<Stat> lstat(int dirFd, String name, String shown) throws ErrnoException {
        try {
            return Optional.of(sys.statx(dirFd, bytes(name), Flags.AT_SYMLINK_NOFOLLOW));
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT)) {
                return Optional.empty();
            }
            throw e.withPath(shown);
        }
    }

    /** fsync of a directory, so that what was created or renamed in it survives a power cut. */
    private void sync(int dirFd, String shown) throws ErrnoException {
        try {
            sys.fsync(dirFd);
        } catch (ErrnoException e) {
            throw e.withPath(shown);
        }
    }

    /** The host path of something under upper, for messages. */
    private String show(String... names) {
        try {
            Path path = hostUpper();
            for (String name : names) {
                path = path.resolve(name);
            }
            return path.toString();
        } catch (RootException e) {
            return String.join("/", names);
        }
    }
}
