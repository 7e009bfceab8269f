package dev.lethe.root.btrfs;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy.ArchiveReader;
import dev.lethe.root.btrfs.Btrfs.Listed;
import dev.lethe.root.btrfs.Btrfs.Subvolume;
import dev.lethe.root.btrfs.Mounted.Access;
import dev.lethe.root.btrfs.Registry.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The btrfs archives: listed, opened and destroyed only after proving by the registry ({@link
 * Registry}) and the UUID and ID that {@code btrfs subvolume show} reports now that lethe made
 * them. Nested subvolumes are found by parent ID, never by a path listing.
 */
final class Archives {
    private final RootContext context;
    private final Btrfs btrfs;
    private final Inspection inspection;

    Archives(RootContext context, Btrfs btrfs, Inspection inspection) {
        this.context = context;
        this.btrfs = btrfs;
        this.inspection = inspection;
    }

    List<ArchiveRef> archives() throws IOException {
        Names names = inspection.names();
        try (Mounted top = inspection.top(names, Access.READ_ONLY)) {
            Registry registry = Registry.read(top.resolve(names.registry()));
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
                    .map(BtrfsWipePlanner::ref)
                    .distinct()
                    .sorted(Comparator.comparing(ArchiveRef::created).thenComparing(ArchiveRef::id).reversed())
                    .toList();
        }
    }

    <T> T read(ArchiveRef archive, ArchiveReader<T> reader) throws IOException {
        Names names = inspection.names();
        long id;
        try (Mounted top = inspection.top(names, Access.READ_ONLY)) {
            id = prove(names, top, archive).id();
        }
        // Mounted by the ID just proved, not by path; read-only, nested subvolumes included.
        try (Mounted opened = Mounted.subvolume(context.sys(), names.device(), id, Access.READ_ONLY, context.scratch())) {
            return reader.read(opened.path);
        }
    }

    void destroy(ArchiveRef archive) throws IOException {
        Names names = inspection.names();
        String name = archiveName(archive);
        try (Mounted top = inspection.top(names, Access.READ_WRITE)) {
            Path registryFile = top.resolve(names.registry());
            Entry entry = recorded(names, Registry.read(registryFile), name);
            Optional<Subvolume> root = inspection.subvolumeAt(names, top, names.subvolume(), "subvolume");
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
    // ---- proving an archive is lethe's ----

    static String archiveName(ArchiveRef archive) throws RootException {
        String name = archive.id();
        if (name.contains("/") || name.equals(".") || name.equals("..") || name.chars().anyMatch(c -> c < 0x20)) {
            throw new RootException("\"" + name + "\" is not the name of an archive in " + Names.ARCHIVES + "; nothing was touched");
        }
        return name;
    }

    private static Entry recorded(Names names, Registry registry, String name) throws RootException {
        return registry.find(name, names.subvolume()).orElseThrow(() ->
                new RootException(name + " is not an archive of " + names.subvolume() + " that lethe recorded on "
                        + names.device() + " (" + Names.ARCHIVES + "/" + Registry.FILE + "); lethe only touches subvolumes it"
                        + " can prove it made. Nothing was touched"));
    }

    /** The archive's subvolume, after proving by the registry and its UUID and ID that lethe made it. */
    Subvolume prove(Names names, Mounted top, ArchiveRef archive) throws IOException {
        String name = archiveName(archive);
        Entry entry = recorded(names, Registry.read(top.resolve(names.registry())), name);
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

}
