package dev.lethe.root.zfs;

import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy.WipeRequest;
import dev.lethe.root.WipeStep;
import dev.lethe.root.ZfsStep;
import dev.lethe.root.zfs.Zfs.Node;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The zfs wipe as a pure function: from what the pool holds ({@link Observation}) to the steps
 * that archive the root and make it anew, or finish a wipe that was cut short. The situation (fresh,
 * cut short after the rename, cut short after a clone) decides the steps; docs/strategies.md says why
 * each step is where it is. {@link #initrd} gives the same steps with the values only known at boot
 * as placeholders, for the initrd script.
 */
public final class ZfsWipePlanner {
    private ZfsWipePlanner() {}

    /** The creation-time properties a clone takes from its origin and zfs refuses to be given. */
    public static final Set<String> FROM_ORIGIN = Set.of("casesensitivity", "normalization", "utf8only");

    /**
     * What the pool holds.
     *
     * @param leftovers   clones of the blank a killed diff left behind, proven (impure: pids)
     * @param archives    POOL/lethe-archives and two levels below it (its children and their
     *                    snapshots), with type, lethe:of and lethe:state; empty if it does not exist
     * @param root        the root and every dataset and snapshot in it with all properties; empty if missing
     * @param interrupted the tree of the archive of a wipe that was cut short, with all properties;
     *                    empty if there is none ({@link #interrupted} says which)
     */
    record Observation(List<ZfsStep.DestroyLeftover> leftovers, Map<String, Node> archives, Map<String, Node> root,
                       Map<String, Node> interrupted) {
        Observation {
            leftovers = List.copyOf(leftovers);
        }
    }

    /** The archive a wipe makes or finishes, and its steps. */
    record Plan(String archive, List<WipeStep> steps) {}

    /** A dataset of the root as the wipe sees it, by its path below the root ("" for the root, "/var"). */
    private record Member(String rel, Node node, boolean hasBlank, Optional<Node> target) {}

    /**
     * The archive of a wipe of this root that was cut short, if any. Root missing: the rename happened
     * and the clone did not; the archive is the one that still holds the blank snapshot (a finished
     * archive is a clone and holds none). Root present: an archive of it still marked pending.
     */
    static Optional<String> interrupted(ZfsNames n, Map<String, Node> archives, boolean rootExists) throws RootException {
        List<String> found = new ArrayList<>();
        for (Node child : archives.values()) {
            if (!child.isFilesystem() || n.ref(child.name()).isEmpty()) {
                continue;
            }
            Optional<String> of = child.local(ZfsNames.OF);
            if (!rootExists) {
                if (of.map(n.root()::equals).orElse(true) && archives.containsKey(child.name() + "@" + n.blank())) {
                    found.add(child.name());
                }
            } else if (of.equals(Optional.of(n.root())) && child.local(ZfsNames.STATE).equals(Optional.of(ZfsNames.PENDING))) {
                found.add(child.name());
            }
        }
        if (found.size() > 1) {
            throw new RootException("more than one unfinished wipe of " + n.root() + ": " + String.join(", ", found)
                    + ". lethe will not guess which to finish; look at them with zfs list -t all -r " + n.archives());
        }
        return found.stream().findFirst();
    }

    static Plan plan(ZfsNames n, Observation o, WipeRequest request) throws RootException {
        // Clones of the blank a cut-short lethe diff left: gone first, they belong to no archive.
        List<WipeStep> steps = new ArrayList<>(o.leftovers());
        Optional<String> interrupted = interrupted(n, o.archives(), !o.root().isEmpty());
        if (interrupted.isPresent()) {
            String archive = interrupted.get();
            List<Member> members = new ArrayList<>();
            for (Node dataset : Zfs.filesystems(o.interrupted())) {
                String rel = dataset.name().substring(archive.length());
                members.add(new Member(rel, dataset, o.interrupted().containsKey(dataset.name() + "@" + n.blank()),
                        Optional.ofNullable(o.root().get(n.root() + rel))));
            }
            steps.add(new ZfsStep.Resume(n.root(), archive));
            steps.addAll(marks(n, archive, members, Optional.ofNullable(o.interrupted().get(archive))));
            steps.addAll(recreate(n, archive, members));
            steps.addAll(finish(archive, members));
            return new Plan(archive, steps);
        }
        if (o.root().isEmpty()) {
            throw new RootException("dataset " + n.root() + " does not exist, and no archive of a wipe cut short "
                    + "explains it; `zfs list -r " + n.pool() + "` shows the datasets");
        }
        String archive = n.archive(request.now(), request.degraded());
        if (o.archives().containsKey(archive)) {
            throw new RootException(archive + " already exists: a wipe of " + n.root()
                    + " already ran within this second; try again");
        }
        List<Member> members = new ArrayList<>();
        for (Node dataset : Zfs.filesystems(o.root())) {
            String rel = dataset.name().substring(n.root().length());
            // After the rename nothing is left at the root's names: each is made anew, or not at all.
            members.add(new Member(rel, dataset, o.root().containsKey(dataset.name() + "@" + n.blank()), Optional.empty()));
        }
        for (Member member : members.reversed()) {
            if (member.node().value("mounted").orElse("no").equals("yes")) {
                steps.add(new ZfsStep.Unmount(member.node().name()));
            }
        }
        if (o.archives().isEmpty()) {
            steps.add(new ZfsStep.CreateArchives(n.archives()));
        }
        steps.add(new ZfsStep.Rename(n.root(), archive));
        steps.addAll(marks(n, archive, members, Optional.empty()));
        steps.addAll(recreate(n, archive, members));
        steps.addAll(finish(archive, members));
        return new Plan(archive, steps);
    }

    /**
     * Marks the archive as lethe's right after the rename. Each mark is set only if it differs, so a
     * finish sets what a cut-short wipe did not.
     *
     * @param marked the archive as it is now, when finishing; empty before the rename
     */
    private static List<WipeStep> marks(ZfsNames n, String archive, List<Member> members, Optional<Node> marked) {
        var ref = n.ref(archive).orElseThrow();
        List<ZfsStep.Property> wanted = new ArrayList<>(archiveMarks(n, archive, ref.created().toString(),
                ref.degraded() ? "yes" : "no", marked.flatMap(node -> node.local(ZfsNames.STATE)).isEmpty()));
        // The guid of a dataset does not change when it is renamed: the root's before, the archive's after.
        for (Member member : members) {
            wanted.add(guidMark(archive + member.rel(), member.node().value("guid").orElseThrow()));
        }
        List<ZfsStep.Property> missing = new ArrayList<>();
        for (ZfsStep.Property mark : wanted) {
            // Before the rename (marked empty) nothing is marked yet; when finishing, members are the archive's.
            Optional<String> now = marked.isEmpty() ? Optional.empty() : members.stream().map(Member::node)
                    .filter(node -> node.name().equals(mark.dataset())).findFirst()
                    .flatMap(node -> node.local(mark.property()));
            if (!now.equals(Optional.of(mark.value()))) {
                missing.add(mark);
            }
        }
        return missing.isEmpty() ? List.of() : List.of(new ZfsStep.Mark(archive, n.root(), missing));
    }

    private static List<ZfsStep.Property> archiveMarks(ZfsNames n, String archive, String created, String degraded,
                                                       boolean pending) {
        List<ZfsStep.Property> marks = new ArrayList<>(List.of(
                new ZfsStep.Property(archive, ZfsNames.ARCHIVE, "yes"),
                new ZfsStep.Property(archive, ZfsNames.OF, n.root()),
                new ZfsStep.Property(archive, ZfsNames.CREATED, created),
                new ZfsStep.Property(archive, ZfsNames.DEGRADED, degraded)));
        if (pending) {
            marks.add(new ZfsStep.Property(archive, ZfsNames.STATE, ZfsNames.PENDING));
        }
        return marks;
    }

    private static ZfsStep.Property guidMark(String dataset, String guid) {
        return new ZfsStep.Property(dataset, ZfsNames.GUID, guid);
    }

    /** Makes each dataset that has a blank snapshot anew as a promoted clone of it, parents first. */
    private static List<WipeStep> recreate(ZfsNames n, String archive, List<Member> members) throws RootException {
        List<WipeStep> steps = new ArrayList<>();
        Set<String> present = new HashSet<>();
        for (Member member : members) {
            String target = n.root() + member.rel();
            String archived = archive + member.rel();
            if (member.target().isPresent()) {
                present.add(target);
                if (member.target().get().value("origin").orElse("").equals(archived + "@" + n.blank())) {
                    steps.add(new ZfsStep.Promote(target, n.blank(), archived));
                }
                continue;
            }
            boolean parentPresent = member.rel().isEmpty() || present.contains(Zfs.parent(target));
            if (member.hasBlank() && parentPresent) {
                steps.add(clone(n, archived, target, member.node().locals()));
                present.add(target);
            } else if (member.rel().isEmpty()) {
                throw new RootException("cannot make " + n.root() + " anew: " + archived + "@" + n.blank() + " does not "
                        + "exist. The old root is kept as " + archive + "; make the root by hand (zfs clone, zfs promote)");
            } else {
                steps.add(keep(n, archived, member.hasBlank()));
            }
        }
        return steps;
    }

    private static ZfsStep.Clone clone(ZfsNames n, String archived, String target, Map<String, String> locals) {
        List<String> properties = new ArrayList<>();
        locals.forEach((property, value) -> {
            // lethe's marks belong to the archive; the creation-time properties come from the origin.
            if (givenToClone(property)) {
                properties.add(property + "=" + value);
            }
        });
        return new ZfsStep.Clone(archived, target, n.blank(), properties);
    }

    /** Whether the new dataset is given the old one's local {@code property}. */
    public static boolean givenToClone(String property) {
        return !property.startsWith("lethe:") && !FROM_ORIGIN.contains(property);
    }

    private static ZfsStep.KeepInArchive keep(ZfsNames n, String archived, boolean hasBlank) {
        return new ZfsStep.KeepInArchive(archived, hasBlank ? "its parent is not made anew"
                : "it has no @" + n.blank() + " snapshot");
    }

    /** Hardens the archive, then marks it done. The clone needs the old mountpoint, so this comes after it. */
    private static List<WipeStep> finish(String archive, List<Member> members) {
        return List.of(new ZfsStep.Harden(archive, members.stream().map(m -> archive + m.rel()).toList()),
                new ZfsStep.Finish(archive));
    }

    // ---------------------------------------------------------------------------------------------
    // the initrd

    /**
     * The steps of {@link #plan} with what only the boot knows as placeholders {@code ${name}}, for
     * the initrd script to perform in the situation it finds: the script observes the pool, and loops
     * over the datasets itself. Placeholders: {@code ${lethe_archive}} (the archive's dataset), {@code
     * ${lethe_dataset}} (a dataset of the root), {@code ${lethe_rel}} (a dataset's path below the root
     * or archive, "" for the top), {@code ${lethe_guid}}, {@code ${lethe_created}}, {@code
     * ${lethe_degraded}} and {@code ${@}}, the old dataset's own properties given to a clone (those
     * {@link #givenToClone}). The config's names never hold "${" (ZfsNames allows none of it).
     *
     * @param markArchive        the archive's own marks, with lethe:state=pending (its guid marks apart)
     * @param markArchiveResumed the same without lethe:state, for an archive that has one already
     * @param markGuid           one dataset's guid mark ({@code ${lethe_archive}${lethe_rel}})
     * @param harden             the archive as a whole, before {@code noAutoMount} on each of its datasets
     * @param noAutoMount        the command that keeps one dataset of the archive from being mounted by itself
     */
    public record InitrdSteps(ZfsStep.Unmount unmount, ZfsStep.CreateArchives createArchives, ZfsStep.Rename rename,
                              ZfsStep.Resume resume, ZfsStep.Mark markArchive, ZfsStep.Mark markArchiveResumed,
                              ZfsStep.Mark markGuid, ZfsStep.Clone cloneBlank, ZfsStep.Promote promote,
                              ZfsStep.KeepInArchive keepNoBlank, ZfsStep.KeepInArchive keepNoParent,
                              ZfsStep.Harden harden, List<String> noAutoMount, ZfsStep.Finish finish) {}

    public static InitrdSteps initrd(ZfsNames n) {
        String archive = "${lethe_archive}";
        String archived = archive + "${lethe_rel}";
        String target = n.root() + "${lethe_rel}";
        return new InitrdSteps(
                new ZfsStep.Unmount("${lethe_dataset}"),
                new ZfsStep.CreateArchives(n.archives()),
                new ZfsStep.Rename(n.root(), archive),
                new ZfsStep.Resume(n.root(), archive),
                new ZfsStep.Mark(archive, n.root(), archiveMarks(n, archive, "${lethe_created}", "${lethe_degraded}", true)),
                new ZfsStep.Mark(archive, n.root(), archiveMarks(n, archive, "${lethe_created}", "${lethe_degraded}", false)),
                new ZfsStep.Mark(archive, n.root(), List.of(guidMark(archived, "${lethe_guid}"))),
                new ZfsStep.Clone(archived, target, n.blank(), List.of("${@}")),
                new ZfsStep.Promote(target, n.blank(), archived),
                keep(n, archived, false),
                keep(n, archived, true),
                new ZfsStep.Harden(archive, List.of()),
                ZfsCommands.noAutoMount(archived),
                new ZfsStep.Finish(archive));
    }
}
