package dev.lethe.root.btrfs;

import dev.lethe.root.btrfs.Btrfs.Listed;
import dev.lethe.root.btrfs.Btrfs.Subvolume;
import dev.lethe.root.btrfs.Registry.Entry;
import java.util.List;
import java.util.Optional;

/**
 * What the top level holds, read ({@link Inspection}) before anything is changed: the observation
 * the wipe is planned from ({@link BtrfsWipePlanner}).
 *
 * @param root          the root subvolume; empty if it is missing (an interrupted wipe renamed it)
 * @param subvolumes    every subvolume of the filesystem
 * @param archivesExist the archives' directory is there
 */
record Layout(Optional<Subvolume> root, Subvolume blank, List<Listed> subvolumes, Registry registry,
              boolean archivesExist) {

    Layout {
        subvolumes = List.copyOf(subvolumes);
    }

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
