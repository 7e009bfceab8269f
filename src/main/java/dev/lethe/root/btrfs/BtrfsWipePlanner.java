package dev.lethe.root.btrfs;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy.WipeRequest;
import dev.lethe.root.WipePlan;
import dev.lethe.root.WipeStep;
import dev.lethe.root.BtrfsStep;
import dev.lethe.root.btrfs.Btrfs.Listed;
import dev.lethe.root.btrfs.Btrfs.Subvolume;
import dev.lethe.root.btrfs.Registry.Entry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The btrfs wipe as a list of steps, from an observation of the disk; pure (no disk, no clock).
 * {@link #plan} is what {@code wipe --dry-run} prints and {@code wipe} performs; {@link #steps} is
 * also what the initrd script is rendered from, one situation at a time, with the script's
 * variables in place of the values it reads at boot.
 */
public final class BtrfsWipePlanner {
    private BtrfsWipePlanner() {}

    /** The steps for a situation, in order. The order is the crash-safety argument (docs/strategies.md). */
    public static List<WipeStep> steps(Names names, Situation situation) {
        String root = names.subvolume();
        BtrfsStep snapshot = new BtrfsStep.Snapshot(names.blank(), root);
        List<WipeStep> steps = new ArrayList<>();
        switch (situation) {
            case Situation.AlreadyFresh s -> steps.add(new BtrfsStep.AlreadyFresh(root, names.blank()));
            case Situation.RenamedNotRecreated s -> {
                steps.add(new BtrfsStep.FoundArchived(root, names.archivePath(s.archive()), true));
                steps.add(snapshot);
            }
            case Situation.RenamedNotRecorded s -> {
                steps.add(new BtrfsStep.FoundArchived(root, names.archivePath(s.archive()), false));
                steps.add(new BtrfsStep.Record(names.registry(), names.archivePath(s.archive()), s.archive(), root,
                        s.uuid(), s.id(), s.created(), s.degraded()));
                steps.add(snapshot);
            }
            case Situation.Ordinary s -> {
                if (!s.archivesExist()) {
                    steps.add(new BtrfsStep.MakeArchives(names.device(), Names.ARCHIVES, 0700));
                }
                s.staleRecord().ifPresent(stale -> steps.add(new BtrfsStep.ForgetRecord(names.registry(),
                        names.archivePath(stale), stale, root, s.uuid())));
                steps.add(new BtrfsStep.Record(names.registry(), names.archivePath(s.archive()), s.archive(), root,
                        s.uuid(), s.id(), s.created(), s.degraded()));
                steps.add(new BtrfsStep.Rename(root, names.archivePath(s.archive()), s.degraded()));
                steps.add(snapshot);
            }
        }
        return List.copyOf(steps);
    }

    /**
     * What a wipe at {@code request} does to the disk that {@code layout} describes; refuses a
     * missing root that no interrupted wipe explains, and an archive name already taken.
     */
    static WipePlan plan(Names names, Layout layout, WipeRequest request) throws RootException {
        List<Entry> entries = layout.entries(names);
        Optional<Entry> newest = entries.stream().filter(e -> layout.isPresent(names, e))
                .max(Comparator.comparing(Entry::created));
        if (layout.root().isPresent()) {
            Subvolume root = layout.root().get();
            if (root.isUntouchedSnapshotOf(layout.blank())) {
                return new WipePlan(steps(names, new Situation.AlreadyFresh()), newest.map(BtrfsWipePlanner::ref));
            }
            Optional<Entry> stale = entries.stream().filter(e -> e.uuid().equals(root.uuid())).reduce((a, b) -> b);
            ArchiveName name = new ArchiveName(names.base(), request.now(), request.degraded());
            String path = names.archivePath(name.toString());
            boolean recorded = layout.registry().entries().stream()
                    .anyMatch(e -> e.name().equals(name.toString()) && !stale.equals(Optional.of(e)));
            if (recorded || layout.listed(path).isPresent()) {
                throw new RootException("an archive " + path + " already exists on " + names.device()
                        + " (two wipes within one second?); run the wipe again; nothing was changed");
            }
            Situation situation = new Situation.Ordinary(root.uuid(), Long.toString(root.id()), layout.archivesExist(),
                    stale.map(Entry::name), name.toString(), name.created().toString(), name.degraded());
            return new WipePlan(steps(names, situation), Optional.of(ref(name)));
        }
        return missingRoot(names, layout, newest);
    }

    /** Refuses what no wipe can start from: a missing root that no interrupted wipe explains. */
    static void check(Names names, Layout layout) throws RootException {
        if (layout.root().isEmpty()) {
            missingRoot(names, layout, layout.entries(names).stream().filter(e -> layout.isPresent(names, e))
                    .max(Comparator.comparing(Entry::created)));
        }
    }

    /** The root is missing: finish the interrupted wipe that renamed it, or refuse. */
    private static WipePlan missingRoot(Names names, Layout layout, Optional<Entry> newest) throws RootException {
        Optional<ArchiveName> unrecorded = Optional.empty();
        Listed unrecordedSubvolume = null;
        Set<String> recordedUuids = layout.registry().entries().stream().map(Entry::uuid).collect(Collectors.toSet());
        for (Listed s : layout.subvolumes()) {
            String prefix = Names.ARCHIVES + "/";
            String child = s.path().startsWith(prefix) ? s.path().substring(prefix.length()) : "/";
            if (child.contains("/") || recordedUuids.contains(s.uuid())) {
                continue;  // not directly in lethe-archives, or recorded
            }
            Optional<ArchiveName> name = ArchiveName.parse(child).filter(n -> n.base().equals(names.base()));
            if (name.isPresent() && (unrecorded.isEmpty() || name.get().created().isAfter(unrecorded.get().created()))) {
                unrecorded = name;
                unrecordedSubvolume = s;
            }
        }
        if (unrecorded.isPresent() && (newest.isEmpty() || unrecorded.get().created().isAfter(newest.get().created()))) {
            ArchiveName name = unrecorded.get();
            Situation situation = new Situation.RenamedNotRecorded(name.toString(), unrecordedSubvolume.uuid(),
                    Long.toString(unrecordedSubvolume.id()), name.created().toString(), name.degraded());
            return new WipePlan(steps(names, situation), Optional.of(ref(name)));
        }
        if (newest.isPresent()) {
            return new WipePlan(steps(names, new Situation.RenamedNotRecreated(newest.get().name())),
                    newest.map(BtrfsWipePlanner::ref));
        }
        throw new RootException("the root subvolume " + names.subvolume() + " does not exist on " + names.device()
                + ", and no archive of an interrupted wipe explains it. Check [root] subvolume; nothing was changed");
    }

    static ArchiveRef ref(Entry entry) {
        return new ArchiveRef(entry.name(), entry.created(), entry.degraded());
    }

    private static ArchiveRef ref(ArchiveName name) {
        return new ArchiveRef(name.toString(), name.created(), name.degraded());
    }
}
