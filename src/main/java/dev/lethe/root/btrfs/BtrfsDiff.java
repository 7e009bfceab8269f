package dev.lethe.root.btrfs;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.diff.Change;
import dev.lethe.diff.Filter;
import dev.lethe.diff.TreeDiff;
import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Syscalls;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootException;
import dev.lethe.root.btrfs.Btrfs.Subvolume;
import dev.lethe.root.btrfs.Mounted.Access;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** What a btrfs root or archive changed against the blank, read through the top level mounted read-only. */
final class BtrfsDiff {
    private final RootContext context;
    private final Inspection inspection;
    private final Archives archives;

    BtrfsDiff(RootContext context, Inspection inspection, Archives archives) {
        this.context = context;
        this.inspection = inspection;
        this.archives = archives;
    }

    /**
     * The root subvolume against the blank, both read through the top level mounted read-only (so
     * nothing mounted on the live root, such as a store, is in the way). The root was made as a
     * snapshot of the blank, so the generation numbers name what changed since ({@link Generations}).
     */
    Optional<List<Change>> diff(Path hostRoot, Filter filter) throws IOException {
        Names names = inspection.names();
        try (Mounted top = inspection.top(names, Access.READ_ONLY)) {
            Subvolume root = inspection.subvolumeAt(names, top, names.subvolume(), "subvolume").orElseThrow(() -> new RootException(
                    "the root subvolume " + names.subvolume() + " on " + names.device() + " is missing: a wipe is"
                            + " unfinished. Run lethe wipe first"));
            return Optional.of(compare(names, top, names.subvolume(), root, filter));
        }
    }

    /** An archive is the root of the boot it kept, compared with the blank the same way. */
    List<Change> diffArchive(ArchiveRef archive, Filter filter) throws IOException {
        Names names = inspection.names();
        try (Mounted top = inspection.top(names, Access.READ_ONLY)) {
            Subvolume proved = archives.prove(names, top, archive);
            return compare(names, top, names.archivePath(Archives.archiveName(archive)), proved, filter);
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
        top.sync();
        Subvolume blank = inspection.subvolumeAt(names, top, names.blank(), "blank").orElseThrow(() -> new RootException(
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
}
