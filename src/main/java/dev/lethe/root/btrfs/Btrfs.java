package dev.lethe.root.btrfs;

import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.SubvolumeInfo;
import dev.lethe.linux.Syscalls;
import dev.lethe.root.RootException;
import dev.lethe.root.Tools;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the strategy reads of a btrfs filesystem, and the few btrfs-progs commands it runs. The reads
 * every command makes (the superblock, a subvolume's numbers) go through the kernel's own interfaces:
 * forking a tool for each cost more than the rest of a small diff. Listing and changing subvolumes
 * stays with btrfs-progs. Commands that change something go through {@link Tools#run} (each a crash
 * point); probes that may fail legitimately go through {@link Tools#tryRun}.
 */
final class Btrfs {
    private final Tools tools;
    private final Syscalls sys;

    Btrfs(Tools tools, Syscalls sys) {
        this.tools = tools;
        this.sys = sys;
    }

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

    /** What the device's superblock says: TYPE ("btrfs", another filesystem, or empty) and UUID, either possibly empty. */
    record Probe(String type, String uuid) {}

    /**
     * Reads the primary superblock (64 KiB into the device) for the btrfs magic and the filesystem
     * UUID, as blkid does. Only a device without it is handed to blkid, for the name of what it
     * holds (another filesystem, or btrfs laid out with its superblock elsewhere, as on a zoned disk).
     */
    Probe probe(String device) throws RootException {
        byte[] superblock = new byte[SUPERBLOCK_READ];
        int read;
        try (Descriptor fd = sys.open(Flags.AT_FDCWD, Syscalls.bytes(device), Flags.O_RDONLY | Flags.O_CLOEXEC, 0)) {
            read = sys.pread(fd.value(), superblock, SUPERBLOCK_READ, SUPERBLOCK_OFFSET);
        } catch (ErrnoException e) {
            throw new RootException("cannot read the superblock of " + device + ": " + e.getMessage(), e);
        }
        if (read == SUPERBLOCK_READ
                && Arrays.equals(superblock, MAGIC_OFFSET, MAGIC_OFFSET + MAGIC.length, MAGIC, 0, MAGIC.length)) {
            ByteBuffer fsid = ByteBuffer.wrap(superblock, FSID_OFFSET, 16);
            return new Probe("btrfs", new UUID(fsid.getLong(), fsid.getLong()).toString());
        }
        return blkid(device);
    }

    // struct btrfs_super_block (fs/btrfs/ctree.h; the uapi linux/btrfs_tree.h since Linux 6.2, newer
    // than the headers a build machine may have, so pinned by BtrfsKernelTest against blkid):
    // csum[32], fsid[16], bytenr, flags, then the magic "_BHRfS_M".
    private static final long SUPERBLOCK_OFFSET = 64 * 1024;
    private static final int SUPERBLOCK_READ = 4096;
    private static final int FSID_OFFSET = 32;
    private static final int MAGIC_OFFSET = 64;
    private static final byte[] MAGIC = "_BHRfS_M".getBytes(StandardCharsets.US_ASCII);

    private Probe blkid(String device) throws RootException {
        // -p reads the device itself, not blkid's cache, which may be stale or absent in an initrd.
        Tools.Result result = tools.tryRun(List.of("blkid", "-p", "-o", "export", device));
        Map<String, String> values = new HashMap<>();
        for (String line : result.output().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        return new Probe(values.getOrDefault("TYPE", ""), values.getOrDefault("UUID", ""));
    }

    /**
     * The subvolume at {@code path}, or empty if there is none (missing, a file, or a plain
     * directory): the numbers {@code btrfs subvolume show} prints, read with BTRFS_IOC_GET_SUBVOL_INFO.
     */
    Optional<Subvolume> show(Path path) throws RootException {
        return info(path).map(info -> new Subvolume(info.id(), info.uuid().toString(),
                info.parentUuid().map(UUID::toString).orElse(NO_PARENT), info.generation(), info.createdIn()));
    }

    /** How btrfs subvolume show writes the parent UUID of a subvolume that is no snapshot. */
    static final String NO_PARENT = "-";

    /** The top directory of every subvolume has this inode number (BTRFS_FIRST_FREE_OBJECTID). */
    private static final long SUBVOLUME_ROOT_INODE = 256;

    private Optional<SubvolumeInfo> info(Path path) throws RootException {
        try (Descriptor fd = sys.open(Flags.AT_FDCWD, Syscalls.bytes(path.toString()),
                Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0)) {
            if (sys.statx(fd.value(), new byte[0], Flags.AT_EMPTY_PATH).inode() != SUBVOLUME_ROOT_INODE) {
                return Optional.empty();
            }
            return Optional.of(sys.btrfsSubvolumeInfo(fd.value()));
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR || e.errno() == Errno.ELOOP) {
                return Optional.empty();
            }
            throw new RootException("cannot read the btrfs subvolume " + path + ": " + e.getMessage(), e);
        }
    }

    /** Whether the subvolume at {@code path} is read-only (what btrfs property get -ts PATH ro says). */
    boolean isReadOnly(Path subvolume) throws RootException {
        return info(subvolume).orElseThrow(() -> new RootException(subvolume + " is not a btrfs subvolume")).readOnly();
    }

    private static final Pattern LISTED = Pattern.compile(
            "ID (\\d+) gen \\d+ parent (\\d+) top level \\d+ uuid (\\S+) path (.*)");

    /** Every subvolume of the filesystem mounted (top level) at {@code top}. */
    List<Listed> list(Path top) throws RootException {
        List<Listed> subvolumes = new ArrayList<>();
        for (String line : tools.run("btrfs", "subvolume", "list", "-p", "-u", top.toString()).split("\n")) {
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
    long defaultSubvolume(Path top) throws RootException {
        String out = tools.run("btrfs", "subvolume", "get-default", top.toString()).strip();
        Matcher m = DEFAULT.matcher(out);
        if (!m.matches()) {
            throw new RootException("cannot read the output of btrfs subvolume get-default " + top + ": " + out);
        }
        return Long.parseLong(m.group(1));
    }

    /** The ID of the subvolume that holds {@code path} (a file or directory on a mounted btrfs). */
    long subvolumeOf(Path path) throws RootException {
        String out = tools.run("btrfs", "inspect-internal", "rootid", path.toString()).strip();
        try {
            return Long.parseLong(out);
        } catch (NumberFormatException e) {
            throw new RootException("cannot read the output of btrfs inspect-internal rootid " + path + ": " + out);
        }
    }
}
