package dev.lethe.root.btrfs;

import dev.lethe.root.RootException;
import dev.lethe.root.Tool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few btrfs-progs and util-linux commands the strategy needs, with their output parsed. Commands
 * that change something go through {@link Tool#run} (each a crash point); probes that may fail
 * legitimately ("is this a subvolume?") go through {@link Tool#tryRun}.
 */
final class Btrfs {
    private Btrfs() {}

    /**
     * A subvolume as {@code btrfs subvolume show} describes it.
     *
     * @param generation   the last transaction that changed the subvolume
     * @param createdInGen the transaction that created it: equal to {@code generation} while nothing
     *                     has been written to it since
     */
    record Subvolume(long id, String uuid, String parentUuid, long generation, long createdInGen) {
        /**
         * True when this root holds exactly the blank's files: a snapshot of {@code blank} that nothing
         * has written to since it was made, or the subvolume the blank was taken from, untouched since
         * (a machine set up and never booted: taking the snapshot leaves the source's generation at
         * the snapshot's own creation transaction, and any later write raises it).
         */
        boolean isUntouchedSnapshotOf(Subvolume blank) {
            return parentUuid.equals(blank.uuid()) && generation == createdInGen
                    || blank.parentUuid().equals(uuid) && generation <= blank.createdInGen();
        }
    }

    /** One line of {@code btrfs subvolume list -p -u}: path is relative to the top level (ID 5). */
    record Listed(long id, long parentId, String uuid, String path) {}

    /** What blkid reads from the device's superblock: TYPE and UUID, either possibly empty. */
    record Probe(String type, String uuid) {}

    static Probe probe(String device) throws RootException {
        // -p reads the device itself, not blkid's cache, which may be stale or absent in an initrd.
        Tool.Result result = Tool.tryRun(List.of("blkid", "-p", "-o", "export", device));
        Map<String, String> values = new HashMap<>();
        for (String line : result.output().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        return new Probe(values.getOrDefault("TYPE", ""), values.getOrDefault("UUID", ""));
    }

    /** The subvolume at {@code path}, or empty if there is none (missing, or a plain directory). */
    static Optional<Subvolume> show(Path path) throws RootException {
        Tool.Result result = Tool.tryRun(List.of("btrfs", "subvolume", "show", path.toString()));
        if (result.exit() != 0) {
            return Optional.empty();
        }
        Map<String, String> fields = new HashMap<>();
        for (String line : result.output().split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.startsWith("\t")) {
                fields.putIfAbsent(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        try {
            return Optional.of(new Subvolume(Long.parseLong(fields.get("Subvolume ID")), fields.get("UUID"),
                    fields.get("Parent UUID"), Long.parseLong(fields.get("Generation")),
                    Long.parseLong(fields.get("Gen at creation"))));
        } catch (RuntimeException e) {
            throw new RootException("cannot read the output of btrfs subvolume show " + path + ": "
                    + result.output().strip(), e);
        }
    }

    static boolean isReadOnly(Path subvolume) throws RootException {
        return Tool.run("btrfs", "property", "get", "-ts", subvolume.toString(), "ro").strip().equals("ro=true");
    }

    private static final Pattern LISTED = Pattern.compile(
            "ID (\\d+) gen \\d+ parent (\\d+) top level \\d+ uuid (\\S+) path (.*)");

    /** Every subvolume of the filesystem mounted (top level) at {@code top}. */
    static List<Listed> list(Path top) throws RootException {
        List<Listed> subvolumes = new ArrayList<>();
        for (String line : Tool.run("btrfs", "subvolume", "list", "-p", "-u", top.toString()).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Matcher m = LISTED.matcher(line);
            if (!m.matches()) {
                throw new RootException("cannot read this line of btrfs subvolume list " + top + ": " + line);
            }
            subvolumes.add(new Listed(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), m.group(3), m.group(4)));
        }
        return List.copyOf(subvolumes);
    }

    /** The subvolumes nested in {@code id}, at any depth, deepest first: found by parent ID alone. */
    static List<Listed> nestedIn(long id, List<Listed> all) {
        List<Listed> found = new ArrayList<>();
        List<Long> frontier = List.of(id);
        while (!frontier.isEmpty()) {
            List<Long> next = new ArrayList<>();
            for (Listed s : all) {
                if (frontier.contains(s.parentId())) {
                    found.addFirst(s);  // each level goes in front of the one above: deepest first
                    next.add(s.id());
                }
            }
            frontier = next;
        }
        return List.copyOf(found);
    }

    private static final Pattern DEFAULT = Pattern.compile("ID (\\d+)\\b.*", Pattern.DOTALL);

    /** The subvolume mounted when no subvol= option is given (btrfs subvolume set-default). */
    static long defaultSubvolume(Path top) throws RootException {
        String out = Tool.run("btrfs", "subvolume", "get-default", top.toString()).strip();
        Matcher m = DEFAULT.matcher(out);
        if (!m.matches()) {
            throw new RootException("cannot read the output of btrfs subvolume get-default " + top + ": " + out);
        }
        return Long.parseLong(m.group(1));
    }

    /** The ID of the subvolume that holds {@code path} (a file or directory on a mounted btrfs). */
    static long subvolumeOf(Path path) throws RootException {
        String out = Tool.run("btrfs", "inspect-internal", "rootid", path.toString()).strip();
        try {
            return Long.parseLong(out);
        } catch (NumberFormatException e) {
            throw new RootException("cannot read the output of btrfs inspect-internal rootid " + path + ": " + out);
        }
    }
}
