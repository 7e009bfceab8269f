package dev.lethe.root.zfs;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.config.RootConfig;
import dev.lethe.diff.Change;
import dev.lethe.diff.Filter;
import dev.lethe.linux.MountInfo;
import dev.lethe.model.AbsolutePath;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy;
import dev.lethe.root.WipePlan;
import dev.lethe.root.WipeStep;
import dev.lethe.root.zfs.Zfs.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The zfs strategy: the root is a dataset ({@code [root] dataset = "pool/root"}) with a snapshot
 * {@code pool/root@blank} the user took once while the root was fresh ({@code blank} names it).
 *
 * <h2>No rollback</h2>
 * The usual recipe runs {@code zfs rollback -r pool/root@blank}: the old root is gone, and
 * {@code -r} destroys every snapshot taken after the blank on the way. lethe never rolls back. It
 * moves the old root aside whole and makes a new root from the blank:
 * <ol>
 * <li>unmount the root and its child datasets where mounted: zfs-fuse (like older ZFS) refuses to
 *     rename a mounted dataset ("dataset is busy");</li>
 * <li>rename the root to {@code POOL/lethe-archives/<leaf>.<yyyyMMdd'T'HHmmss'Z'>[.degraded]}
 *     ({@code <leaf>} is the root's last name component): constant time whatever the root holds, and
 *     its child datasets and snapshots, {@code @blank} included, move with it. {@code
 *     POOL/lethe-archives} is made once with canmount=off and mountpoint=none;</li>
 * <li>mark the archive at once with user properties, set on itself (source local): {@code
 *     lethe:archive=yes}, {@code lethe:of=<root>}, {@code lethe:created}, {@code lethe:degraded},
 *     {@code lethe:state=pending}, and {@code lethe:guid=<its own guid>} on it and on each of its
 *     child datasets;</li>
 * <li>{@code zfs clone ARCHIVE@blank POOL/root}, with the old root's local properties given as
 *     {@code -o} (a clone inherits from its new parent, it does not copy them), then {@code zfs promote
 *     POOL/root}: the blank snapshot belongs to the new root again, and the archive is now a clone of
 *     {@code POOL/root@blank} that can be destroyed later without touching the root or any other
 *     archive. Every child dataset with its own blank snapshot ({@code zfs snapshot -r} makes them) is
 *     made anew the same way, parents first; a child dataset made after the blank has none and stays
 *     only in the archive;</li>
 * <li>harden the archive: its mountpoints inherit {@code none} from lethe-archives, canmount=noauto,
 *     readonly=on, so no {@code zfs mount -a} ever mounts an old /var over the new one, and nothing
 *     writes into an archive. This comes after the clone, which still needs the old properties;</li>
 * <li>{@code lethe:state=done}.</li>
 * </ol>
 * Snapshots the user took after the blank stay with the archive; none is destroyed.
 *
 * <h2>Crash safety</h2>
 * Each step is one zfs command, and each is atomic. A wipe first looks for an interrupted one and
 * finishes it instead of archiving again, so one wipe never makes two archives:
 * <ul>
 * <li>root dataset missing: the rename happened and the clone did not. The archive is the child of
 *     lethe-archives named for this root that still holds the blank snapshot (a finished archive is a
 *     clone and holds none);</li>
 * <li>root present and an archive of it marked {@code lethe:state=pending}: the clone happened. The
 *     finish re-does only what is missing: marks that differ, clones that do not exist, promotes of
 *     datasets still cloned from the archive; the hardening commands are idempotent.</li>
 * </ul>
 * If the machine booted an unfinished (but already fresh) root before the re-run, the re-run only
 * finishes: what that boot wrote stays on the root until the next wipe. Kept, not lost.
 *
 * <h2>Ownership</h2>
 * {@link #destroy} and {@link #read} act only on a dataset that is a direct child of
 * POOL/lethe-archives named like this root's archives; has {@code lethe:archive=yes} and {@code
 * lethe:of=<root>} set on itself, not inherited; has {@code lethe:guid} equal to its own guid on itself
 * and on each of its child datasets (a copy, a received stream or a dataset someone made inside it
 * would not); is a clone whose origin is {@code <root>@<blank>}; is finished; and is not where a store
 * is mounted from.
 *
 * <h2>Reading an archive</h2>
 * zfs-fuse has no mount.zfs, so {@code mount -t zfs} cannot mount a dataset; setting its mountpoint
 * property can. {@link #read} sets the archive's mountpoint to a scratch directory (canmount=noauto:
 * nothing mounts by itself), mounts each of its datasets, parents first (read-only: readonly=on is
 * inherited), and in {@code finally} unmounts them and lets the mountpoint inherit none again.
 *
 * <h2>Diff</h2>
 * {@link #diff} and {@link #diffArchive} compare each dataset of the root (or of an archive) with a
 * temporary read-only clone of its blank snapshot, {@code POOL/lethe-diff.<leaf>.<pid>}: zfs-fuse can
 * neither diff nor mount a snapshot. {@link ZfsDiff} says how, and how a clone a killed diff left is
 * proven and destroyed by the next diff or the next wipe (its first step).
 *
 * <h2>Limits</h2>
 * Wiping the live root fails at the unmount: the wipe belongs in the initrd, before the root is
 * mounted. zfs-fuse tears a filesystem down after its unmount has returned and calls it "busy" until
 * then, so a command refused with "dataset is busy" is tried again for up to 30 s. Two wipes of one
 * root within the same second would want the same archive name; the second refuses. The archive's
 * time is in its name; {@code lethe:created} repeats it for whoever reads {@code zfs get}.
 */
public final class ZfsStrategy implements RootStrategy {

    static final String ARCHIVES = RootConfig.ARCHIVES;
    static final String ARCHIVE = "lethe:archive";
    static final String OF = "lethe:of";
    static final String CREATED = "lethe:created";
    static final String DEGRADED = "lethe:degraded";
    static final String GUID = "lethe:guid";
    static final String STATE = "lethe:state";
    private static final String PENDING = "pending";
    private static final Set<String> FROM_ORIGIN = Set.of("casesensitivity", "normalization", "utf8only");
    private static final String DONE = "done";

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final RootConfig.Zfs config;
    private final RootContext context;
    private final Zfs zfs;

    public ZfsStrategy(RootConfig.Zfs config, RootContext context) {
        this.config = config;
        this.context = context;
        this.zfs = new Zfs(context.tools());
    }

    @Override
    public String name() {
        return "zfs";
    }

    /**
     * The names the strategy works with.
     *
     * @param root     the root dataset, "pool/root"
     * @param blank    the blank snapshot's name, "blank"
     * @param archives "pool/lethe-archives"
     * @param leaf     the root's last name component, which archive names start with
     */
    record Names(String root, String blank, String archives, String leaf) {

        String blankSnapshot() {
            return root + "@" + blank;
        }

        String archive(Instant now, boolean degraded) {
            return archives + "/" + leaf + "." + STAMP.format(now) + (degraded ? ".degraded" : "");
        }

        /** The archive's ref if {@code dataset} is named like one of this root's archives. */
        Optional<ArchiveRef> ref(String dataset) {
            if (!Zfs.parent(dataset).equals(archives)) {
                return Optional.empty();
            }
            String id = dataset.substring(archives.length() + 1);
            Matcher m = Pattern.compile(Pattern.quote(leaf) + "\\.(\\d{8}T\\d{6}Z)(\\.degraded)?").matcher(id);
            if (!m.matches()) {
                return Optional.empty();
            }
            return Optional.of(new ArchiveRef(id, Instant.from(STAMP.parse(m.group(1))), m.group(2) != null));
        }
    }

    /** The config's names, checked when the config was read (config.RootRules): the dataset lies inside a pool. */
    private Names names() {
        String root = config.dataset();
        String blank = config.blank();
        String pool = root.substring(0, root.indexOf('/'));
        String archives = pool + "/" + ARCHIVES;
        return new Names(root, blank, archives, root.substring(root.lastIndexOf('/') + 1));
    }

    // ---------------------------------------------------------------------------------------------
    // check

    @Override
    public void check() throws IOException {
        Names n = names();
        refuseStoresMountedFromRoot(n);
        if (interrupted(n).isPresent()) {
            return;  // the root is missing or half made because a wipe was cut short: wipe finishes it
        }
        Node root = zfs.node(n.root()).orElseThrow(() -> new RootException("dataset " + n.root()
                + " does not exist ([root] dataset in " + config.origin() + "); `zfs list` shows the datasets"));
        if (!root.isFilesystem()) {
            throw new RootException(n.root() + " is a " + root.value("type").orElse("?")
                    + ", not a filesystem dataset ([root] dataset in " + config.origin() + ")");
        }
        if (!zfs.exists(n.blankSnapshot())) {
            throw new RootException("the blank snapshot " + n.blankSnapshot() + " does not exist ([root] blank in "
                    + config.origin() + "). Take it once, while the root is fresh: zfs snapshot -r "
                    + n.blankSnapshot());
        }
        refuseStoresInRootTree(n);
    }

    /**
     * A store whose path is mounted from the root dataset, or from one inside it, or is a plain
     * directory on it, would be archived with the root and gone from the next boot.
     */
    private void refuseStoresMountedFromRoot(Names n) throws IOException {
        MountInfo mounts = MountInfo.read();
        for (AbsolutePath store : context.stores()) {
            String host = hostPath(store);
            MountInfo.Mount mount = mounts.containing(host);
            if (mount == null || !(mount.fsType().equals("zfs") || mount.fsType().equals("fuse.zfs"))) {
                continue;
            }
            if (inRootTree(n, mount.source())) {
                throw new RootException("store " + store + " is on dataset " + mount.source() + " (mounted at "
                        + mount.mountPoint() + "), which is the root dataset " + n.root() + " or lies inside it: "
                        + "wiping the root would archive the store. Keep the store on a dataset outside " + n.root()
                        + " (" + config.origin() + ")");
            }
        }
    }

    /** The same for a store not mounted yet (in the initrd): a dataset of the root whose mountpoint is the store. */
    private void refuseStoresInRootTree(Names n) throws RootException {
        for (Node dataset : Zfs.filesystems(zfs.get(n.root(), Zfs.ALL_BELOW, "type", "mountpoint"))) {
            Optional<String> mountpoint = dataset.value("mountpoint");
            for (AbsolutePath store : context.stores()) {
                if (mountpoint.isPresent() && (mountpoint.get().equals(store.toString())
                        || mountpoint.get().equals(hostPath(store)))) {
                    throw new RootException("store " + store + " is dataset " + dataset.name() + " (mountpoint "
                            + mountpoint.get() + "), which is the root dataset " + n.root() + " or lies inside it: "
                            + "wiping the root would archive the store. Keep the store on a dataset outside "
                            + n.root() + " (" + config.origin() + ")");
                }
            }
        }
    }

    private String hostPath(AbsolutePath store) {
        Path root = context.root().toAbsolutePath().normalize();
        return store.isRoot() ? root.toString() : root.resolve(store.toString().substring(1)).toString();
    }

    private static boolean inRootTree(Names n, String dataset) {
        return dataset.equals(n.root()) || dataset.startsWith(n.root() + "/");
    }

    // ---------------------------------------------------------------------------------------------
    // diff

    private ZfsDiff diff(Names n) {
        return new ZfsDiff(n, context);
    }

    /** The root's datasets where they are mounted below {@code hostRoot}, against clones of their blanks: see {@link ZfsDiff}. */
    @Override
    public Optional<List<Change>> diff(Path hostRoot, Filter filter) throws IOException {
        Names n = names();
        return Optional.of(diff(n).of(diff(n).live(n, hostRoot, filter), filter));
    }

    /** The archive's datasets, mounted read-only, against clones of the root's blanks they were made from. */
    @Override
    public List<Change> diffArchive(ArchiveRef archive, Filter filter) throws IOException {
        Names n = names();
        String dataset = proven(n, archive);
        return read(archive, files -> diff(n).of(diff(n).archived(n, dataset, files, filter), filter));
    }

    // ---------------------------------------------------------------------------------------------
    // wipe

    /** One step of a wipe: what it does, as a sentence, and the commands that do it (none for a note). */
    record Step(String says, List<List<String>> commands) {
        static Step note(String says) {
            return new Step(says, List.of());
        }

        static Step of(String says, List<String> command) {
            return new Step(says, List.of(command));
        }
    }

    @Override
    public WipePlan planWipe(WipeRequest request) throws IOException {
        Plan plan = steps(request);
        return new WipePlan(plan.steps().stream().<WipeStep>map(step -> new WipeStep.Said(step.says())).toList(),
                names().ref(plan.archive()));
    }

    @Override
    public WipeResult wipe(WipeRequest request) throws IOException {
        Plan plan = steps(request);
        List<WipeStep> done = new ArrayList<>();
        for (Step step : plan.steps()) {
            for (List<String> command : step.commands()) {
                zfs.run(command);
            }
            done.add(new WipeStep.Said(step.says()));
        }
        return new WipeResult(names().ref(plan.archive()).orElseThrow(), done);
    }

    /** The archive a wipe makes (or finishes) and its steps. */
    private record Plan(String archive, List<Step> steps) {}

    private Plan steps(WipeRequest request) throws IOException {
        Names n = names();
        // Clones of the blank a cut-short lethe diff left: gone first, they belong to no archive.
        List<Step> steps = new ArrayList<>(diff(n).leftovers(n));
        Optional<String> interrupted = interrupted(n);
        if (interrupted.isPresent()) {
            steps.addAll(finishing(n, interrupted.get()));
            return new Plan(interrupted.get(), steps);
        }
        check();
        String archive = n.archive(request.now(), request.degraded());
        steps.addAll(fresh(n, archive));
        return new Plan(archive, steps);
    }

    /** A dataset of the root as the wipe sees it, by its path below the root ("" for the root, "/var"). */
    private record Member(String rel, Node node, boolean hasBlank, Optional<Node> target) {}

    /** Every step of a wipe that starts from an intact root. */
    private List<Step> fresh(Names n, String archive) throws RootException {
        if (zfs.exists(archive)) {
            throw new RootException(archive + " already exists: a wipe of " + n.root()
                    + " already ran within this second; try again");
        }
        Map<String, Node> tree = zfs.all(n.root(), Zfs.ALL_BELOW);
        List<Member> members = new ArrayList<>();
        for (Node dataset : Zfs.filesystems(tree)) {
            String rel = dataset.name().substring(n.root().length());
            // After the rename nothing is left at the root's names: each is made anew, or not at all.
            members.add(new Member(rel, dataset, tree.containsKey(dataset.name() + "@" + n.blank()), Optional.empty()));
        }
        List<Step> steps = new ArrayList<>();
        for (Member member : members.reversed()) {
            if (member.node().value("mounted").orElse("no").equals("yes")) {
                steps.add(Step.of("unmount " + member.node().name() + " (a mounted dataset cannot be renamed)",
                        List.of("zfs", "unmount", member.node().name())));
            }
        }
        if (!zfs.exists(n.archives())) {
            steps.add(Step.of("create " + n.archives() + " to hold the archives (canmount=off, mountpoint=none: "
                            + "never mounted itself)",
                    List.of("zfs", "create", "-o", "canmount=off", "-o", "mountpoint=none", n.archives())));
        }
        steps.add(Step.of("rename " + n.root() + " to " + archive + ": the old root, with its child datasets and "
                + "snapshots, is the archive", List.of("zfs", "rename", n.root(), archive)));
        steps.addAll(marks(n, archive, members, Optional.empty()));
        steps.addAll(recreate(n, archive, members));
        steps.addAll(finish(archive, members));
        return steps;
    }

    /** The steps that remain of a wipe cut short after it renamed the root to {@code archive}. */
    private List<Step> finishing(Names n, String archive) throws RootException {
        Map<String, Node> tree = zfs.all(archive, Zfs.ALL_BELOW);
        List<Member> members = new ArrayList<>();
        for (Node dataset : Zfs.filesystems(tree)) {
            String rel = dataset.name().substring(archive.length());
            members.add(new Member(rel, dataset, tree.containsKey(dataset.name() + "@" + n.blank()),
                    zfs.node(n.root() + rel)));
        }
        List<Step> steps = new ArrayList<>();
        steps.add(Step.note("finish the wipe that was cut short after it archived " + n.root() + " as " + archive
                + " (the root is not archived a second time)"));
        steps.addAll(marks(n, archive, members, Optional.of(tree.get(archive))));
        steps.addAll(recreate(n, archive, members));
        steps.addAll(finish(archive, members));
        return steps;
    }

    /**
     * Marks the archive as lethe's right after the rename. Each mark is set only if it differs, so a
     * finish sets what a cut-short wipe did not.
     *
     * @param marked the archive as it is now, when finishing; empty before the rename
     */
    private List<Step> marks(Names n, String archive, List<Member> members, Optional<Node> marked) {
        record Mark(String dataset, String property, String value) {}
        ArchiveRef ref = n.ref(archive).orElseThrow();
        List<Mark> wanted = new ArrayList<>();
        wanted.add(new Mark(archive, ARCHIVE, "yes"));
        wanted.add(new Mark(archive, OF, n.root()));
        wanted.add(new Mark(archive, CREATED, ref.created().toString()));
        wanted.add(new Mark(archive, DEGRADED, ref.degraded() ? "yes" : "no"));
        if (marked.flatMap(node -> node.local(STATE)).isEmpty()) {
            wanted.add(new Mark(archive, STATE, PENDING));
        }
        // The guid of a dataset does not change when it is renamed: the root's before, the archive's after.
        for (Member member : members) {
            wanted.add(new Mark(archive + member.rel(), GUID, member.node().value("guid").orElseThrow()));
        }
        List<List<String>> commands = new ArrayList<>();
        for (Mark mark : wanted) {
            // Before the rename (marked empty) nothing is marked yet; when finishing, members are the archive's.
            Optional<String> now = marked.isEmpty() ? Optional.empty() : members.stream().map(Member::node)
                    .filter(node -> node.name().equals(mark.dataset())).findFirst()
                    .flatMap(node -> node.local(mark.property()));
            if (!now.equals(Optional.of(mark.value()))) {
                commands.add(List.of("zfs", "set", mark.property() + "=" + mark.value(), mark.dataset()));
            }
        }
        if (commands.isEmpty()) {
            return List.of();
        }
        return List.of(new Step("mark " + archive + " as lethe's archive of " + n.root() + " (" + ARCHIVE + ", "
                + OF + ", " + CREATED + ", " + DEGRADED + ", " + STATE + "=" + PENDING + ", " + GUID + ")", commands));
    }

    /** Makes each dataset that has a blank snapshot anew as a promoted clone of it, parents first. */
    private List<Step> recreate(Names n, String archive, List<Member> members) throws RootException {
        List<Step> steps = new ArrayList<>();
        Set<String> present = new HashSet<>();
        for (Member member : members) {
            String target = n.root() + member.rel();
            String blank = archive + member.rel() + "@" + n.blank();
            if (member.target().isPresent()) {
                present.add(target);
                if (member.target().get().value("origin").orElse("").equals(blank)) {
                    steps.add(Step.of("promote " + target + ": " + target + "@" + n.blank() + " is its own again and "
                            + archive + member.rel() + " a clone of it", List.of("zfs", "promote", target)));
                }
                continue;
            }
            boolean parentPresent = member.rel().isEmpty() || present.contains(Zfs.parent(target));
            if (member.hasBlank() && parentPresent) {
                List<String> clone = new ArrayList<>(List.of("zfs", "clone"));
                member.node().locals().forEach((property, value) -> {
                    // lethe's marks belong to the archive; the creation-time properties a clone takes
                    // from its origin and zfs refuses to be given.
                    if (!property.startsWith("lethe:") && !FROM_ORIGIN.contains(property)) {
                        clone.addAll(List.of("-o", property + "=" + value));
                    }
                });
                clone.addAll(List.of(blank, target));
                steps.add(new Step("make " + target + " anew as a clone of " + blank + ", with the old dataset's "
                        + "own properties, and promote it: " + target + "@" + n.blank() + " is its own again and "
                        + archive + member.rel() + " a clone of it", List.of(clone, List.of("zfs", "promote", target))));
                present.add(target);
            } else if (member.rel().isEmpty()) {
                throw new RootException("cannot make " + n.root() + " anew: " + blank + " does not exist. The old "
                        + "root is kept as " + archive + "; make the root by hand (zfs clone, zfs promote)");
            } else {
                steps.add(Step.note("keep " + archive + member.rel() + " only in the archive: "
                        + (member.hasBlank() ? "its parent is not made anew" : "it has no @" + n.blank() + " snapshot")));
            }
        }
        return steps;
    }

    /**
     * Hardens the archive, then marks it done. The commands are idempotent, so a finish repeats them.
     * The clone needs the old mountpoint, so this comes after it.
     */
    private List<Step> finish(String archive, List<Member> members) {
        List<List<String>> harden = new ArrayList<>();
        harden.add(List.of("zfs", "inherit", "-r", "mountpoint", archive));
        harden.add(List.of("zfs", "inherit", "-r", "readonly", archive));
        harden.add(List.of("zfs", "set", "readonly=on", archive));
        for (Member member : members) {
            // canmount is not inherited: each dataset of the archive needs its own.
            harden.add(List.of("zfs", "set", "canmount=noauto", archive + member.rel()));
        }
        return List.of(
                new Step("keep " + archive + " from being mounted by itself or written to: mountpoint none "
                        + "(inherited from " + ARCHIVES + "), canmount=noauto, readonly=on", harden),
                Step.of("mark " + archive + " finished (" + STATE + "=" + DONE + ")",
                        List.of("zfs", "set", STATE + "=" + DONE, archive)));
    }

    /** The archive of a wipe of this root that was cut short, if any: see the class comment. */
    private Optional<String> interrupted(Names n) throws RootException {
        Map<String, Node> children = zfs.get(n.archives(), 1, "type", OF, STATE);
        if (children.isEmpty()) {
            return Optional.empty();
        }
        boolean rootExists = zfs.exists(n.root());
        List<String> found = new ArrayList<>();
        for (Node child : children.values()) {
            if (!child.isFilesystem() || n.ref(child.name()).isEmpty()) {
                continue;
            }
            Optional<String> of = child.local(OF);
            if (!rootExists) {
                // Cut short between the rename and the clone: only that archive still holds the blank.
                if (of.map(n.root()::equals).orElse(true) && zfs.exists(child.name() + "@" + n.blank())) {
                    found.add(child.name());
                }
            } else if (of.equals(Optional.of(n.root())) && child.local(STATE).equals(Optional.of(PENDING))) {
                found.add(child.name());
            }
        }
        if (found.size() > 1) {
            throw new RootException("more than one unfinished wipe of " + n.root() + ": " + String.join(", ", found)
                    + ". lethe will not guess which to finish; look at them with zfs list -t all -r " + n.archives());
        }
        return found.stream().findFirst();
    }

    // ---------------------------------------------------------------------------------------------
    // archives

    @Override
    public List<ArchiveRef> archives() throws IOException {
        Names n = names();
        Map<String, Node> children = zfs.get(n.archives(), 1, "type", "guid", "origin", ARCHIVE, OF, GUID, STATE);
        List<ArchiveRef> archives = new ArrayList<>();
        for (Node child : children.values()) {
            Optional<ArchiveRef> ref = n.ref(child.name());
            // A finished archive is a clone of the root's blank; an unfinished one is listed too, so
            // that it is seen, though only a finished one can be destroyed.
            if (ref.isPresent() && child.isFilesystem()
                    && child.local(ARCHIVE).equals(Optional.of("yes"))
                    && child.local(OF).equals(Optional.of(n.root()))
                    && child.local(GUID).equals(child.value("guid"))
                    && (child.value("origin").equals(Optional.of(n.blankSnapshot()))
                            || child.local(STATE).equals(Optional.of(PENDING)))) {
                archives.add(ref.get());
            }
        }
        archives.sort(Comparator.comparing(ArchiveRef::created).thenComparing(ArchiveRef::id).reversed());
        return archives;
    }

    @Override
    public long sizeOf(ArchiveRef archive) throws IOException {
        String dataset = datasetOf(names(), archive);
        // "used" of a clone is what destroying it frees: its own blocks, snapshots and children.
        return zfs.get(dataset, 0, "used").values().stream().findFirst()
                .flatMap(node -> node.value("used")).map(Long::parseLong).orElse(-1L);
    }

    private static String datasetOf(Names n, ArchiveRef archive) throws RootException {
        String dataset = n.archives() + "/" + archive.id();
        if (archive.id().contains("/") || n.ref(dataset).isEmpty()) {
            throw new RootException("\"" + archive.id() + "\" is not the name of an archive of " + n.root() + " (they are "
                    + n.archives() + "/" + n.leaf() + ".<yyyyMMdd'T'HHmmss'Z'>[.degraded])");
        }
        return dataset;
    }

    /** The archive's dataset, after proving it is lethe's archive of this root: see the class comment. */
    private String proven(Names n, ArchiveRef archive) throws IOException {
        String dataset = datasetOf(n, archive);
        Map<String, Node> tree = zfs.get(dataset, Zfs.ALL_BELOW, "type", "guid", "origin", ARCHIVE, OF, GUID, STATE);
        Node top = tree.get(dataset);
        String refuse = "refusing to touch " + dataset + ": ";
        if (top == null || !top.isFilesystem()) {
            throw new RootException(refuse + "no such archive (lethe archive list shows them)");
        }
        if (!top.local(ARCHIVE).equals(Optional.of("yes")) || !top.local(OF).equals(Optional.of(n.root()))) {
            throw new RootException(refuse + "it is not marked as lethe's archive of " + n.root() + " (" + ARCHIVE
                    + "=yes and " + OF + "=" + n.root() + " set on it)");
        }
        for (Node dataset1 : Zfs.filesystems(tree)) {
            if (!dataset1.local(GUID).equals(dataset1.value("guid"))) {
                throw new RootException(refuse + dataset1.name() + " is not the dataset lethe archived: its guid "
                        + dataset1.value("guid").orElse("?") + " is not the " + GUID + " recorded on it ("
                        + dataset1.local(GUID).orElse("none") + ")");
            }
        }
        if (!top.value("origin").equals(Optional.of(n.blankSnapshot()))) {
            throw new RootException(refuse + "it is not a clone of " + n.blankSnapshot() + " (its origin: "
                    + top.value("origin").orElse("none") + "), as every finished archive of " + n.root() + " is");
        }
        if (!top.local(STATE).equals(Optional.of(DONE))) {
            throw new RootException(refuse + "the wipe that made it did not finish; run lethe wipe to finish it first");
        }
        for (AbsolutePath store : context.stores()) {
            MountInfo.Mount mount = MountInfo.read().containing(hostPath(store));
            if (mount != null && (mount.source().equals(dataset) || mount.source().startsWith(dataset + "/"))) {
                throw new RootException(refuse + "store " + store + " is mounted from it");
            }
        }
        if (inRootTree(n, dataset) || n.root().startsWith(dataset + "/")) {
            throw new RootException(refuse + "it is the root or holds it");
        }
        return dataset;
    }

    @Override
    public <T> T read(ArchiveRef archive, ArchiveReader<T> reader) throws IOException {
        Names n = names();
        String dataset = proven(n, archive);
        List<Node> datasets = Zfs.filesystems(zfs.get(dataset, Zfs.ALL_BELOW, "type"));
        Path dir = context.scratch().toAbsolutePath().normalize().resolve("zfs-" + archive.id());
        Files.createDirectories(dir);
        List<String> mounted = new ArrayList<>();
        // A mountpoint property is the one way to mount a dataset on zfs-fuse (it has no mount.zfs for
        // mount -t zfs). The archive is canmount=noauto, so setting it mounts nothing; readonly=on is
        // inherited by each dataset, so every mount below is read-only.
        zfs.run(List.of("zfs", "set", "mountpoint=" + dir, dataset));
        Throwable failure = null;
        try {
            for (Node node : datasets) {
                zfs.run(List.of("zfs", "mount", node.name()));
                mounted.add(node.name());
            }
            return reader.read(dir);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            List<RootException> cleanup = new ArrayList<>();
            for (String name : mounted.reversed()) {
                try {
                    zfs.run(List.of("zfs", "unmount", name));
                } catch (RootException e) {
                    cleanup.add(e);
                }
            }
            try {
                zfs.run(List.of("zfs", "inherit", "mountpoint", dataset));
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                cleanup.add(new RootException("cannot restore " + dataset + " after reading it: " + e.getMessage(), e));
            }
            reportCleanup(failure, cleanup);
        }
    }

    /**
     * After a {@code finally} that undid what an operation set up: the cleanup's failures ride along
     * with the operation's own {@code failure}, or, if it succeeded, the first of them is thrown.
     */
    static void reportCleanup(Throwable failure, List<RootException> cleanup) throws RootException {
        if (cleanup.isEmpty()) {
            return;
        }
        if (failure != null) {
            cleanup.forEach(failure::addSuppressed);
        } else {
            RootException first = cleanup.getFirst();
            cleanup.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
    }

    @Override
    public void destroy(ArchiveRef archive) throws IOException {
        String dataset = proven(names(), archive);
        // -r: the archive's own child datasets and snapshots go with it; never -R, which would also
        // destroy clones of them elsewhere: if someone cloned one, zfs refuses and says so.
        zfs.run(List.of("zfs", "destroy", "-r", dataset));
    }
}
