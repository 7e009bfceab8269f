package dev.lethe.root.btrfs;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.config.RootConfig;
import dev.lethe.diff.Change;
import dev.lethe.diff.Filter;
import dev.lethe.diff.TreeDiff;
import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Syscalls;
import dev.lethe.linux.MountInfo;
import dev.lethe.model.AbsolutePath;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy;
import dev.lethe.root.WipePlan;
import dev.lethe.root.WipeStep;
import dev.lethe.root.btrfs.Btrfs.Listed;
import dev.lethe.root.btrfs.Btrfs.Subvolume;
import dev.lethe.root.btrfs.Mounted.Access;
import dev.lethe.root.btrfs.Registry.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The btrfs root: a subvolume ({@code @root}) recreated at every wipe as a writable snapshot of a
 * read-only blank one ({@code @root-blank}). The old root is kept by renaming it into the directory
 * {@code lethe-archives} on the top level: a rename is constant time whatever the root holds, and
 * subvolumes nested in the root (systemd's /var/lib/machines) move along inside it.
 *
 * <p>Ownership is proved by the registry ({@link Registry}): an archive is lethe's only if the
 * registry names it with the UUID and ID that {@code btrfs subvolume show} reports for it now.
 * Nested subvolumes are found by parent ID, never by a path listing.
 *
 * <p>Crash safety: the registry line is written (fsynced) before the rename and names the root's
 * own UUID, which the rename keeps; so at every instant the root is either still in place, or
 * archived and recorded, and a re-run finishes from there:
 * <ul>
 * <li>root present, a record with its UUID but no archive yet: the rename never happened; the
 *     stale record is dropped and the wipe starts over;</li>
 * <li>root missing, its archive recorded: only the snapshot is left to make;</li>
 * <li>root present but an untouched snapshot of the blank (generation unchanged since it was
 *     made): the wipe already finished; there is nothing to archive.</li>
 * </ul>
 */
public final class BtrfsStrategy implements RootStrategy {

    /**
     * The archives' directory on the top level. A plain directory, not a subvolume: one atomic
     * mkdir, nothing to prove about it, and it is never used as a listing source (archives are
     * found through the registry), so the plain-directory "list -o" hazard cannot arise.
     */
    static final String ARCHIVES = RootConfig.ARCHIVES;

    private final RootConfig.Btrfs config;
    private final RootContext context;
    private final Btrfs btrfs;

    public BtrfsStrategy(RootConfig.Btrfs config, RootContext context) {
        this.config = config;
        this.context = context;
        this.btrfs = new Btrfs(context.tools());
    }

    @Override
    public String name() {
        return "btrfs";
    }

    /** The three [root] values. */
    private record Names(String device, String subvolume, String blank) {
        /** The last component of the root's path, which archive names start with. */
        String base() {
            return subvolume.substring(subvolume.lastIndexOf('/') + 1);
        }

        String archivePath(String archive) {
            return ARCHIVES + "/" + archive;
        }
    }

    /** What the top level holds, read before anything is changed. */
    private record Layout(Optional<Subvolume> root, Subvolume blank, List<Listed> subvolumes, Registry registry,
                          boolean archivesExist) {

        /** Records of this root's archives, in file order. */
        List<Entry> entries(Names names) {
            return registry.entries().stream().filter(e -> e.subvolume().equals(names.subvolume())).toList();
        }

        Optional<Listed> listed(String path) {
            return subvolumes.stream().filter(s -> s.path().equals(path)).findFirst();
        }

        /** The record's archive exists with the recorded UUID and ID. */
        boolean isPresent(Names names, Entry entry) {
            return listed(names.archivePath(entry.name()))
                    .filter(s -> s.uuid().equals(entry.uuid()) && s.id() == entry.id()).isPresent();
        }
    }

    /** Where the wipe stands, and therefore what is left to do. */
    private sealed interface Situation {
        /** The root is in use: archive it (after dropping the record of a rename that never happened). */
        record Ordinary(Subvolume root, Optional<Entry> staleRecord) implements Situation {}

        /** The root is missing and its archive recorded: an earlier wipe stopped before the snapshot. */
        record RenamedNotRecreated(Entry archive) implements Situation {}

        /**
         * The root is missing and an archive-named subvolume no record names is there: the record was
         * lost after the rename. Cannot follow from lethe's own order of steps; kept for a registry
         * restored from an older copy.
         */
        record RenamedNotRecorded(ArchiveName name, Listed archive) implements Situation {}

        /** The root is an untouched snapshot of the blank: an earlier wipe finished (or nothing ran since). */
        record AlreadyFresh(Optional<Entry> newest) implements Situation {}
    }

    @Override
    public void check() throws IOException {
        Names names = names();
        requireDevice(names);
        try (Mounted top = Mounted.subvolume(context.tools(), names.device(), Mounted.TOP_LEVEL, Access.READ_ONLY, context.scratch())) {
            situation(names, inspect(names, top));
        }
    }

    @Override
    public WipePlan planWipe(WipeRequest request) throws IOException {
        Names names = names();
        requireDevice(names);
        try (Mounted top = Mounted.subvolume(context.tools(), names.device(), Mounted.TOP_LEVEL, Access.READ_ONLY, context.scratch())) {
            Layout layout = inspect(names, top);
            Situation situation = situation(names, layout);
            Optional<ArchiveRef> archive = switch (situation) {
                case Situation.AlreadyFresh fresh -> fresh.newest().map(BtrfsStrategy::ref);
                case Situation.RenamedNotRecreated s -> Optional.of(ref(s.archive()));
                case Situation.RenamedNotRecorded s -> Optional.of(ref(new Entry(s.name().toString(), names.subvolume(),
                        s.archive().uuid(), s.archive().id(), s.name().created(), s.name().degraded())));
                case Situation.Ordinary s -> Optional.of(ref(newRecord(names, layout, s, request)));
            };
            return new WipePlan(said(describe(names, layout, situation, request)), archive);
        }
    }

    /** Interim, until btrfs's steps are typed. */
    private static List<WipeStep> said(List<String> sentences) {
        return sentences.stream().<WipeStep>map(WipeStep.Said::new).toList();
    }

    @Override
    public WipeResult wipe(WipeRequest request) throws IOException {
        Names names = names();
        requireDevice(names);
        try (Mounted top = Mounted.subvolume(context.tools(), names.device(), Mounted.TOP_LEVEL, Access.READ_WRITE, context.scratch())) {
            Layout layout = inspect(names, top);
            Situation situation = situation(names, layout);
            List<String> steps = describe(names, layout, situation, request);
            Path registry = top.resolve(ARCHIVES).resolve(Registry.FILE);
            ArchiveRef archive = switch (situation) {
                case Situation.AlreadyFresh fresh -> fresh.newest().map(BtrfsStrategy::ref).orElse(null);
                case Situation.RenamedNotRecreated s -> {
                    recreate(names, top);
                    yield ref(s.archive());
                }
                case Situation.RenamedNotRecorded s -> {
                    Entry entry = new Entry(s.name().toString(), names.subvolume(), s.archive().uuid(), s.archive().id(),
                            s.name().created(), s.name().degraded());
                    Registry.append(registry, entry);
                    recreate(names, top);
                    yield ref(entry);
                }
                case Situation.Ordinary s -> {
                    if (!layout.archivesExist()) {
                        // 0700: an archive holds an old root's secrets (/etc/shadow, host keys).
                        // A umask only takes bits away, and root reads through any mode: 0700 or stricter.
                        inTopLevel(top, (sys, fd) -> sys.mkdirat(fd, Syscalls.bytes(ARCHIVES), 0700));
                    }
                    if (s.staleRecord().isPresent()) {
                        Registry.remove(registry, s.staleRecord().get());
                    }
                    Entry entry = newRecord(names, layout, s, request);
                    Registry.append(registry, entry);
                    rename(top, names.subvolume(), names.archivePath(entry.name()));
                    recreate(names, top);
                    yield ref(entry);
                }
            };
            return new WipeResult(archive, said(steps));
        }
    }

    @Override
    public List<ArchiveRef> archives() throws IOException {
        Names names = names();
        requireDevice(names);
        try (Mounted top = Mounted.subvolume(context.tools(), names.device(), Mounted.TOP_LEVEL, Access.READ_ONLY, context.scratch())) {
            Registry registry = Registry.read(top.resolve(ARCHIVES).resolve(Registry.FILE));
            if (registry.entries().isEmpty()) {
                return List.of();
            }
            // One listing for all: a record counts only if its path holds a subvolume with its UUID and ID.
            Map<String, Listed> byPath = btrfs.list(top.path).stream()
                    .collect(Collectors.toMap(Listed::path, Function.identity(), (a, b) -> a));
            return registry.entries().stream()
                    .filter(e -> e.subvolume().equals(names.subvolume()))
                    .filter(e -> {
                        Listed s = byPath.get(names.archivePath(e.name()));
                        return s != null && s.uuid().equals(e.uuid()) && s.id() == e.id();
                    })
                    .map(BtrfsStrategy::ref)
                    .distinct()
                    .sorted(Comparator.comparing(ArchiveRef::created).thenComparing(ArchiveRef::id).reversed())
                    .toList();
        }
    }

    /**
     * The root subvolume against the blank, both read through the top level mounted read-only (so
     * nothing mounted on the live root, such as a store, is in the way). The root was made as a
     * snapshot of the blank, so the generation numbers name what changed since ({@link Generations}).
     */
    @Override
    public Optional<List<Change>> diff(Path hostRoot, Filter filter) throws IOException {
        Names names = names();
        requireDevice(names);
        try (Mounted top = Mounted.subvolume(context.tools(), names.device(), Mounted.TOP_LEVEL, Access.READ_ONLY, context.scratch())) {
            Subvolume root = subvolumeAt(names, top, names.subvolume(), "subvolume").orElseThrow(() -> new RootException(
                    "the root subvolume " + names.subvolume() + " on " + names.device() + " is missing: a wipe is"
                            + " unfinished. Run lethe wipe first"));
            return Optional.of(compare(names, top, names.subvolume(), root, filter));
        }
    }

    /** An archive is the root of the boot it kept, compared with the blank the same way. */
    @Override
    public List<Change> diffArchive(ArchiveRef archive, Filter filter) throws IOException {
        Names names = names();
        requireDevice(names);
        try (Mounted top = Mounted.subvolume(context.tools(), names.device(), Mounted.TOP_LEVEL, Access.READ_ONLY, context.scratch())) {
            Subvolume proved = prove(names, top, archive);
            return compare(names, top, names.archivePath(archiveName(archive)), proved, filter);
        }
    }

    /**
     * The changes in the subvolume at {@code path} of the top level against the blank. Where one is a
     * snapshot of the other and the blank has not been written to since, only what the generation
     * numbers name as changed is looked at; otherwise every path of both trees is compared by name (a
     * root made some other way, or a blank updated later).
     */
    private List<Change> compare(Names names, Mounted top, String path, Subvolume live, Filter filter)
            throws IOException {
        // Commits delayed inode items to the trees the generation search reads.
        context.tools().run("btrfs", "filesystem", "sync", top.path.toString());
        Subvolume blank = subvolumeAt(names, top, names.blank(), "blank").orElseThrow(() -> new RootException(
                "the blank subvolume " + names.blank() + " does not exist on " + names.device()));
        Syscalls sys = context.sys();
        String livePath = top.resolve(path).toString();
        String blankPath = top.resolve(names.blank()).toString();
        try (Descriptor topFd = sys.open(Flags.AT_FDCWD, Syscalls.bytes(top.path.toString()),
                Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0)) {
            int fd = topFd.value();
            // One of the two was made as a snapshot of the other (the root from the blank at a wipe; the
            // blank from the root when the machine was set up) in transaction "base". Every inode of the
            // live tree no newer than that is the blank's too, if the blank has not changed since.
            OptionalLong base = live.parentUuid().equals(blank.uuid()) ? OptionalLong.of(live.createdInGen())
                    : blank.parentUuid().equals(live.uuid()) ? OptionalLong.of(blank.createdInGen())
                    : OptionalLong.empty();
            if (base.isEmpty() || Generations.changedSince(sys, fd, blank.id(), base.getAsLong())) {
                return TreeDiff.of(sys, livePath, blankPath, filter, TreeDiff.Hint.NONE, false);
            }
            Generations.Changes changes = Generations.since(sys, fd, live.id(), base.getAsLong());
            return TreeDiff.of(sys, livePath, blankPath, filter, changes.hint(), true);
        }
    }

    @Override
    public long sizeOf(ArchiveRef archive) {
        // Only quotas (qgroups) know a subvolume's size cheaply, and they cost on every write; not assumed.
        return -1;
    }

    @Override
    public <T> T read(ArchiveRef archive, ArchiveReader<T> reader) throws IOException {
        Names names = names();
        requireDevice(names);
        long id;
        try (Mounted top = Mounted.subvolume(context.tools(), names.device(), Mounted.TOP_LEVEL, Access.READ_ONLY, context.scratch())) {
            id = prove(names, top, archive).id();
        }
        // Mounted by the ID just proved, not by path; read-only, nested subvolumes included.
        try (Mounted opened = Mounted.subvolume(context.tools(), names.device(), id, Access.READ_ONLY, context.scratch())) {
            return reader.read(opened.path);
        }
    }

    @Override
    public void destroy(ArchiveRef archive) throws IOException {
        Names names = names();
        requireDevice(names);
        String name = archiveName(archive);
        try (Mounted top = Mounted.subvolume(context.tools(), names.device(), Mounted.TOP_LEVEL, Access.READ_WRITE, context.scratch())) {
            Path registryFile = top.resolve(ARCHIVES).resolve(Registry.FILE);
            Entry entry = recorded(names, Registry.read(registryFile), name);
            Optional<Subvolume> root = subvolumeAt(names, top, names.subvolume(), "subvolume");
            if (root.isEmpty()) {
                throw new RootException("the root subvolume " + names.subvolume() + " on " + names.device()
                        + " is missing: a wipe is unfinished. Run lethe wipe first; nothing was deleted");
            }
            if (root.get().uuid().equals(entry.uuid())) {
                throw new RootException("the record of " + name + " names the live root " + names.subvolume()
                        + " (UUID " + entry.uuid() + "), which an interrupted wipe did not archive; nothing was deleted");
            }
            Path path = top.resolve(names.archivePath(name));
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                // Deleted already, by an earlier destroy that stopped before this step: forget the record.
                Registry.remove(registryFile, entry);
                return;
            }
            Subvolume proved = prove(names, top, archive);
            List<Listed> nested = Btrfs.nestedIn(proved.id(), btrfs.list(top.path));
            String prefix = names.archivePath(name) + "/";
            for (Listed s : nested) {
                // Found by parent ID; a path elsewhere would mean the listing is not what we think.
                if (!s.path().startsWith(prefix)) {
                    throw new RootException("subvolume " + s.path() + " (ID " + s.id() + ") has parent " + s.parentId()
                            + " inside archive " + name + " but lies outside it; nothing was deleted");
                }
            }
            // Deepest first: btrfs refuses to delete a subvolume that still holds another.
            for (Listed s : nested) {
                context.tools().run("btrfs", "subvolume", "delete", "--subvolid", Long.toString(s.id()), top.path.toString());
            }
            // Committed before the record goes, so a power cut cannot bring back an archive no record names.
            context.tools().run("btrfs", "subvolume", "delete", "--commit-after", "--subvolid", Long.toString(proved.id()),
                    top.path.toString());
            Registry.remove(registryFile, entry);
        }
    }

    // ---- what the machine holds ----

    /** The config's names, checked and normalised when the config was read (config.RootRules). */
    private Names names() {
        return new Names(config.device(), config.subvolume(), config.blank());
    }

    private void requireDevice(Names names) throws RootException {
        if (!Files.exists(Path.of(names.device()))) {
            throw new RootException("the btrfs device " + names.device() + " does not exist. Check [root] device"
                    + " (ls -l /dev/disk/by-label /dev/disk/by-uuid lists the names); nothing was changed");
        }
        Btrfs.Probe probe = btrfs.probe(names.device());
        if (!probe.type().equals("btrfs")) {
            throw new RootException(names.device() + " holds " + (probe.type().isEmpty() ? "no filesystem lethe can read"
                    : probe.type()) + ", not btrfs: [root] strategy = \"btrfs\" needs the device of the btrfs"
                    + " filesystem that holds subvolume " + names.subvolume() + "; nothing was changed");
        }
    }

    /** Reads the top level and refuses a layout lethe must not act on. Changes nothing. */
    private Layout inspect(Names names, Mounted top) throws IOException {
        // Commits pending writes, so that a subvolume's generation shows whether it was written to
        // (see Subvolume.isUntouchedSnapshotOf). Best effort: on a read-only filesystem nothing is pending.
        context.tools().tryRun(List.of("btrfs", "filesystem", "sync", top.path.toString()));
        Optional<Subvolume> root = subvolumeAt(names, top, names.subvolume(), "subvolume");
        Subvolume blank = subvolumeAt(names, top, names.blank(), "blank").orElseThrow(() -> new RootException(
                "the blank subvolume " + names.blank() + " does not exist on " + names.device()
                        + ". Make it once, from an empty root: btrfs subvolume snapshot -r TOP/" + names.subvolume()
                        + " TOP/" + names.blank() + " (TOP: the top level mounted with -o subvolid=5),"
                        + " or fix [root] blank; nothing was changed"));
        if (!btrfs.isReadOnly(top.resolve(names.blank()))) {
            throw new RootException("the blank subvolume " + names.blank() + " on " + names.device()
                    + " is writable: whatever is written to it would come back at every boot. Make it read-only:"
                    + " btrfs property set -ts TOP/" + names.blank() + " ro true (TOP: the top level mounted with"
                    + " -o subvolid=5); nothing was changed");
        }
        Path archives = top.resolve(ARCHIVES);
        boolean archivesExist = Files.exists(archives, LinkOption.NOFOLLOW_LINKS);
        if (archivesExist && !Files.isDirectory(archives, LinkOption.NOFOLLOW_LINKS)) {
            throw new RootException(ARCHIVES + " on the top level of " + names.device()
                    + " is not a directory; lethe keeps its archives there. Move it away; nothing was changed");
        }
        if (root.isPresent() && btrfs.defaultSubvolume(top.path) == root.get().id()) {
            throw new RootException("subvolume " + names.subvolume() + " is the default subvolume of " + names.device()
                    + " (btrfs subvolume set-default): after a wipe the default would still be the old root, now an"
                    + " archive, and the machine would boot into it. Mount the root by name (rootflags=subvol="
                    + names.subvolume() + " on the kernel command line, subvol=" + names.subvolume() + " in fstab),"
                    + " then btrfs subvolume set-default 5 TOP (TOP: the top level mounted with -o subvolid=5);"
                    + " nothing was changed");
        }
        List<Listed> subvolumes = btrfs.list(top.path);
        Registry registry = Registry.read(archives.resolve(Registry.FILE));
        checkStores(names, root, blank, subvolumes);
        return new Layout(root, blank, subvolumes, registry, archivesExist);
    }

    /** The subvolume at a path of the top level; empty if nothing is there; refused if something else is. */
    private Optional<Subvolume> subvolumeAt(Names names, Mounted top, String name, String key)
            throws RootException {
        Path path = top.resolve(name);
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Optional<Subvolume> subvolume = Files.isSymbolicLink(path) ? Optional.empty() : btrfs.show(path);
        if (subvolume.isEmpty()) {
            throw new RootException("[root] " + key + " " + name + " on " + names.device() + " is "
                    + (Files.isSymbolicLink(path) ? "a symbolic link" : Files.isDirectory(path) ? "a plain directory" : "a file")
                    + ", not a btrfs subvolume: lethe archives a root by renaming its subvolume. Fix [root] " + key
                    + ", or make it a subvolume (btrfs subvolume create, then move the files in); nothing was changed");
        }
        return subvolume;
    }

    /**
     * Refuses a root or blank that a store lives in: every wipe would take the store away. A store is
     * checked where it is mounted now (under --root); one not yet mounted (in the initrd) has
     * nothing to compare.
     */
    private void checkStores(Names names, Optional<Subvolume> root, Subvolume blank, List<Listed> subvolumes)
            throws IOException {
        Set<Long> forbidden = new HashSet<>();
        forbidden.add(blank.id());
        Btrfs.nestedIn(blank.id(), subvolumes).forEach(s -> forbidden.add(s.id()));
        if (root.isPresent()) {
            forbidden.add(root.get().id());
            Btrfs.nestedIn(root.get().id(), subvolumes).forEach(s -> forbidden.add(s.id()));
        }
        MountInfo mounts = null;
        for (AbsolutePath store : context.stores()) {
            Path host = store.isRoot() ? context.root() : context.root().resolve(store.value().substring(1));
            if (!Files.exists(host)) {
                continue;
            }
            Path real = host.toRealPath();
            if (mounts == null) {
                mounts = MountInfo.read();
            }
            MountInfo.Mount mount = mounts.containing(real.toString());
            if (mount == null || !mount.fsType().equals("btrfs") || !sameFilesystem(names, mount.source())) {
                continue;
            }
            long id = btrfs.subvolumeOf(real);
            if (forbidden.contains(id)) {
                String which = root.isPresent() && id == root.get().id() ? "subvolume = \"" + names.subvolume() + "\""
                        : id == blank.id() ? "blank = \"" + names.blank() + "\"" : "subvolume = \"" + names.subvolume()
                        + "\" (as a subvolume nested in it)";
                throw new RootException("store " + store.value() + " is on subvolume " + mount.root() + " of "
                        + names.device() + " (mounted at " + mount.mountPoint() + "), which [root] " + which
                        + " names: every wipe would archive the store and replace it with the blank. Set [root]"
                        + " subvolume to the subvolume mounted as / and keep stores in subvolumes of their own"
                        + " (e.g. @persist)" + (mount.mountPoint().equals(real.toString()) ? "" : ". If " + store.value()
                        + " is a filesystem of its own, it is not mounted now: mount it (or find why it failed)")
                        + "; nothing was changed");
            }
        }
    }

    private boolean sameFilesystem(Names names, String source) throws IOException {
        if (!source.startsWith("/")) {
            return false;
        }
        Path device = Path.of(names.device()).toRealPath();
        Path other = Path.of(source);
        if (Files.exists(other) && other.toRealPath().equals(device)) {
            return true;
        }
        // A filesystem of several devices is mounted under any of them: compare the filesystem UUID.
        String uuid = btrfs.probe(names.device()).uuid();
        return !uuid.isEmpty() && Files.exists(other) && uuid.equals(btrfs.probe(source).uuid());
    }

    /** Where the wipe stands; refuses a missing root that no interrupted wipe explains. */
    private Situation situation(Names names, Layout layout) throws RootException {
        List<Entry> entries = layout.entries(names);
        Optional<Entry> newest = entries.stream().filter(e -> layout.isPresent(names, e))
                .max(Comparator.comparing(Entry::created));
        if (layout.root().isPresent()) {
            Subvolume root = layout.root().get();
            Optional<Entry> stale = entries.stream().filter(e -> e.uuid().equals(root.uuid())).reduce((a, b) -> b);
            if (root.isUntouchedSnapshotOf(layout.blank())) {
                return new Situation.AlreadyFresh(newest);
            }
            return new Situation.Ordinary(root, stale);
        }
        Set<String> recordedUuids = layout.registry().entries().stream().map(Entry::uuid).collect(Collectors.toSet());
        Optional<Situation.RenamedNotRecorded> unrecorded = Optional.empty();
        for (Listed s : layout.subvolumes()) {
            String child = s.path().startsWith(ARCHIVES + "/") ? s.path().substring(ARCHIVES.length() + 1) : "/";
            if (child.contains("/") || recordedUuids.contains(s.uuid())) {
                continue;  // not directly in lethe-archives, or recorded
            }
            Optional<ArchiveName> name = ArchiveName.parse(child)
                    .filter(n -> n.base().equals(names.base()));
            if (name.isPresent() && (unrecorded.isEmpty() || name.get().created().isAfter(unrecorded.get().name().created()))) {
                unrecorded = Optional.of(new Situation.RenamedNotRecorded(name.get(), s));
            }
        }
        if (unrecorded.isPresent() && (newest.isEmpty() || unrecorded.get().name().created().isAfter(newest.get().created()))) {
            return unrecorded.get();
        }
        if (newest.isPresent()) {
            return new Situation.RenamedNotRecreated(newest.get());
        }
        throw new RootException("the root subvolume " + names.subvolume() + " does not exist on " + names.device()
                + ", and no archive of an interrupted wipe explains it. Check [root] subvolume; nothing was changed");
    }

    /** The sentences for what {@link #wipe} does in this situation, in order. */
    private static List<String> describe(Names names, Layout layout, Situation situation, WipeRequest request)
            throws RootException {
        String root = "/" + names.subvolume();
        String blank = "/" + names.blank();
        String snapshot = "make " + root + " a writable snapshot of " + blank;
        List<String> steps = new ArrayList<>();
        switch (situation) {
            case Situation.AlreadyFresh s -> steps.add(root + " is an untouched snapshot of " + blank
                    + " (nothing has written to it since it was made): nothing to archive or recreate");
            case Situation.RenamedNotRecreated s -> {
                steps.add(root + " is missing: an interrupted wipe already kept it as archive " + names.archivePath(s.archive().name()));
                steps.add(snapshot);
            }
            case Situation.RenamedNotRecorded s -> {
                steps.add(root + " is missing: an interrupted wipe kept it as " + names.archivePath(s.name().toString())
                        + " but left no record of it");
                steps.add("record " + names.archivePath(s.name().toString()) + " (subvolume ID " + s.archive().id()
                        + ", UUID " + s.archive().uuid() + ") in " + ARCHIVES + "/" + Registry.FILE);
                steps.add(snapshot);
            }
            case Situation.Ordinary s -> {
                if (!layout.archivesExist()) {
                    steps.add("create the directory " + ARCHIVES + " on the top level of " + names.device());
                }
                s.staleRecord().ifPresent(e -> steps.add("forget the record of " + names.archivePath(e.name())
                        + ": an interrupted wipe wrote it but did not archive " + root));
                Entry entry = newRecord(names, layout, s, request);
                steps.add("record " + names.archivePath(entry.name()) + " (subvolume ID " + entry.id() + ", UUID "
                        + entry.uuid() + ") in " + ARCHIVES + "/" + Registry.FILE);
                steps.add("keep " + root + " as archive " + names.archivePath(entry.name()) + " (a rename: constant time)"
                        + (entry.degraded() ? ", marked degraded: the previous boot did not finish activation, so it is"
                        + " kept until someone prunes it by id" : ""));
                steps.add(snapshot);
            }
        }
        return List.copyOf(steps);
    }

    /** The record of the archive an ordinary wipe makes now; refuses a name already taken. */
    private static Entry newRecord(Names names, Layout layout, Situation.Ordinary s, WipeRequest request)
            throws RootException {
        ArchiveName name = new ArchiveName(names.base(), request.now(), request.degraded());
        String path = names.archivePath(name.toString());
        boolean recorded = layout.registry().entries().stream()
                .anyMatch(e -> e.name().equals(name.toString()) && !s.staleRecord().equals(Optional.of(e)));
        if (recorded || layout.listed(path).isPresent()) {
            throw new RootException("an archive " + path + " already exists on " + names.device()
                    + " (two wipes within one second?); run the wipe again; nothing was changed");
        }
        return new Entry(name.toString(), names.subvolume(), s.root().uuid(), s.root().id(), name.created(),
                name.degraded());
    }

    /**
     * The rename that archives the root: renameat2(2) with RENAME_NOREPLACE, so it is constant time,
     * cannot turn into a copy (mv would copy across filesystems) and never lands on an existing name.
     * A crash point like every mutation.
     */
    private void rename(Mounted top, String root, String archive) throws IOException {
        try {
            inTopLevel(top, (sys, fd) -> sys.renameat2(fd, Syscalls.bytes(root), fd, Syscalls.bytes(archive),
                    Flags.RENAME_NOREPLACE));
        } catch (ErrnoException e) {
            if (e.is(Errno.EEXIST)) {
                throw new RootException(top.resolve(archive) + " exists already; nothing was changed");
            }
            throw e.withPath(top.resolve(root) + " -> " + top.resolve(archive));
        }
    }

    /** One change made relative to the mounted top level, through the injected syscall port. */
    @FunctionalInterface
    private interface TopLevelChange {
        void apply(Syscalls sys, int topFd) throws ErrnoException;
    }

    private void inTopLevel(Mounted top, TopLevelChange change) throws ErrnoException {
        Syscalls sys = context.sys();
        try (Descriptor fd = sys.open(Flags.AT_FDCWD, Syscalls.bytes(top.path.toString()),
                Flags.O_PATH | Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0)) {
            change.apply(sys, fd.value());
        }
    }

    private void recreate(Names names, Mounted top) throws IOException {
        Path root = top.resolve(names.subvolume());
        // btrfs would put the snapshot inside an existing directory of that name: make sure there is none.
        if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new RootException(root + " exists already; the root was not recreated");
        }
        context.tools().run("btrfs", "subvolume", "snapshot", top.resolve(names.blank()).toString(), root.toString());
    }

    // ---- proving an archive is lethe's ----

    private static String archiveName(ArchiveRef archive) throws RootException {
        String name = archive.id();
        if (name.contains("/") || name.equals(".") || name.equals("..") || name.chars().anyMatch(c -> c < 0x20)) {
            throw new RootException("\"" + name + "\" is not the name of an archive in " + ARCHIVES + "; nothing was touched");
        }
        return name;
    }

    private static Entry recorded(Names names, Registry registry, String name) throws RootException {
        return registry.find(name, names.subvolume()).orElseThrow(() ->
                new RootException(name + " is not an archive of " + names.subvolume() + " that lethe recorded on "
                        + names.device() + " (" + ARCHIVES + "/" + Registry.FILE + "); lethe only touches subvolumes it"
                        + " can prove it made. Nothing was touched"));
    }

    /** The archive's subvolume, after proving by the registry and its UUID and ID that lethe made it. */
    private Subvolume prove(Names names, Mounted top, ArchiveRef archive) throws IOException {
        String name = archiveName(archive);
        Entry entry = recorded(names, Registry.read(top.resolve(ARCHIVES).resolve(Registry.FILE)), name);
        Path path = top.resolve(names.archivePath(name));
        Optional<Subvolume> shown = Files.isSymbolicLink(path) ? Optional.empty() : btrfs.show(path);
        if (shown.isEmpty()) {
            throw new RootException(names.archivePath(name) + " on " + names.device()
                    + " is not a subvolume (any more); nothing was touched");
        }
        if (!shown.get().uuid().equals(entry.uuid()) || shown.get().id() != entry.id()) {
            throw new RootException(names.archivePath(name) + " on " + names.device() + " is subvolume ID "
                    + shown.get().id() + ", UUID " + shown.get().uuid() + ", but lethe recorded ID " + entry.id()
                    + ", UUID " + entry.uuid() + ": it is not the archive lethe made. Nothing was touched");
        }
        return shown.get();
    }

    private static ArchiveRef ref(Entry entry) {
        return new ArchiveRef(entry.name(), entry.created(), entry.degraded());
    }
}
