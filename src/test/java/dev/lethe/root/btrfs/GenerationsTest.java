package dev.lethe.root.btrfs;

import dev.lethe.root.ProcessTools;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.diff.Change;
import dev.lethe.diff.Filter;
import dev.lethe.diff.TreeDiff;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Syscalls;
import dev.lethe.linux.ffm.FfmSyscalls;
import dev.lethe.testing.BtrfsMachine;
import dev.lethe.testing.Sh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The generation numbers must never hide a change: on a real btrfs filesystem, snapshots of a blank
 * receive seeded random edits (writes of the same size, appends, chmod, chown, renames across
 * directories, hard links, deletions, directories made anew, symbolic links retargeted, touches,
 * identical rewrites), and the diff that enters only what the generations name must equal the diff
 * that compares every path of both trees.
 */
class GenerationsTest {

    private static final int SEEDS = Integer.getInteger("lethe.property.tries", 12);
    private static final int EDITS = 40;
    private static final Btrfs BTRFS = new Btrfs(ProcessTools.INSTANCE, new FfmSyscalls());
    private final Syscalls sys = new FfmSyscalls();

    @Test
    void theGenerationsNameEveryChangeTheFullComparisonFinds() throws Exception {
        try (BtrfsMachine m = new BtrfsMachine()) {
            Path blank = blank(m, new Random(1));
            long seed0 = Long.getLong("lethe.property.seed", 20261128L);
            for (int i = 0; i < SEEDS; i++) {
                long seed = seed0 + i;
                Path live = snapshot(m, blank, "@random-" + i);
                List<String> edits = edit(live, new Random(seed));
                Sh.run("btrfs", "filesystem", "sync", m.top.toString());

                Btrfs.Subvolume shown = BTRFS.show(live).orElseThrow();
                Generations.Changes changes = changes(m, shown);
                List<Change> fast = TreeDiff.of(sys, live.toString(), blank.toString(), Filter.none(), changes.hint(), true);
                List<Change> full = TreeDiff.of(sys, live.toString(), blank.toString(), Filter.none(), TreeDiff.Hint.NONE, true);

                assertThat(fast).as("seed %d, edits %s", seed, edits).isEqualTo(full);
                assertThat(full).as("seed %d: the edits change something", seed).isNotEmpty();
                long inodes;
                try (Stream<Path> all = Files.walk(live)) {
                    inodes = all.count();
                }
                assertThat(changes.touched()).as("seed %d: only a part of the tree is entered", seed)
                        .hasSizeLessThan((int) inodes);
            }
        }
    }

    @Test
    void anUntouchedSnapshotHasNoChangedInodeAndOneWriteNamesItsFileAndItsDirectories() throws Exception {
        try (BtrfsMachine m = new BtrfsMachine()) {
            Path blank = blank(m, new Random(2));
            Path live = snapshot(m, blank, "@live");
            assertThat(changes(m, BTRFS.show(live).orElseThrow()).changed()).isEmpty();

            Path file = live.resolve("d1/d2/f3");
            Files.writeString(file, "changed");
            Sh.run("btrfs", "filesystem", "sync", m.top.toString());
            Generations.Changes changes = changes(m, BTRFS.show(live).orElseThrow());
            long inode = (long) Files.getAttribute(file, "unix:ino");
            long d2 = (long) Files.getAttribute(file.getParent(), "unix:ino");
            long d1 = (long) Files.getAttribute(file.getParent().getParent(), "unix:ino");
            assertThat(changes.changed()).containsExactly(inode);
            assertThat(changes.touched()).containsExactlyInAnyOrder(inode, d2, d1, 256L);
        }
    }

    @Test
    void aFileWithMoreNamesThanTheSmallSearchBufferHoldsIsFoundAtEveryName() throws Exception {
        try (BtrfsMachine m = new BtrfsMachine()) {
            Path blank = m.at("@blank-links");
            Sh.run("btrfs", "-q", "subvolume", "create", blank.toString());
            Files.createDirectories(blank.resolve("a"));
            Files.createDirectories(blank.resolve("b"));
            Files.writeString(blank.resolve("a/file"), "linked");
            // 70 names of 200 bytes in one directory: one reference item of about 14 KiB, more than the
            // 4 KiB a search for one inode's names asks for first.
            for (int i = 0; i < 70; i++) {
                Files.createLink(blank.resolve("b/" + "n".repeat(196) + String.format("%03d", i)), blank.resolve("a/file"));
            }
            Sh.run("btrfs", "property", "set", "-ts", blank.toString(), "ro", "true");
            Path live = snapshot(m, blank, "@live");
            Files.writeString(live.resolve("a/file"), "LINKED");
            Sh.run("btrfs", "filesystem", "sync", m.top.toString());

            Generations.Changes changes = changes(m, BTRFS.show(live).orElseThrow());
            long b = (long) Files.getAttribute(live.resolve("b"), "unix:ino");
            assertThat(changes.touched()).contains(b);
            List<Change> fast = TreeDiff.of(sys, live.toString(), blank.toString(), Filter.none(), changes.hint(), true);
            assertThat(fast).hasSize(71).allMatch(c -> c.what() == Change.What.MODIFIED);
            long a = (long) Files.getAttribute(live.resolve("a"), "unix:ino");
            long file = (long) Files.getAttribute(live.resolve("a/file"), "unix:ino");
            int fd = sys.openat(Flags.AT_FDCWD, Syscalls.bytes(m.top.toString()), Flags.O_RDONLY | Flags.O_DIRECTORY, 0);
            try {
                assertThat(new Generations(sys, fd, BTRFS.show(live).orElseThrow().id()).parents(file))
                        .containsExactlyInAnyOrder(a, b);
            } finally {
                sys.close(fd);
            }
        }
    }

    private Generations.Changes changes(BtrfsMachine m, Btrfs.Subvolume live) throws IOException {
        int fd = sys.openat(Flags.AT_FDCWD, Syscalls.bytes(m.top.toString()), Flags.O_RDONLY | Flags.O_DIRECTORY, 0);
        try {
            return Generations.since(sys, fd, live.id(), live.createdInGen());
        } finally {
            sys.close(fd);
        }
    }

    /** A read-only blank made by {@link #populate}. */
    private static Path blank(BtrfsMachine m, Random random) throws IOException {
        Path blank = m.at("@blank-random");
        Sh.run("btrfs", "-q", "subvolume", "create", blank.toString());
        populate(blank, random);
        Sh.run("btrfs", "property", "set", "-ts", blank.toString(), "ro", "true");
        return blank;
    }

    /** A writable snapshot, committed, so that the edits made to it land in later transactions. */
    private static Path snapshot(BtrfsMachine m, Path blank, String name) {
        Path live = m.at(name);
        Sh.run("btrfs", "-q", "subvolume", "snapshot", blank.toString(), live.toString());
        Sh.run("btrfs", "filesystem", "sync", m.top.toString());
        return live;
    }

    /** A blank of nested directories, files, hard links and symbolic links. */
    private static void populate(Path root, Random random) throws IOException {
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 4; b++) {
                Path dir = Files.createDirectories(root.resolve("d" + a + "/d" + (b + 1)));
                for (int f = 0; f < 6; f++) {
                    Files.writeString(dir.resolve("f" + f), "content " + random.nextInt(1000) + "\n");
                }
                Files.createSymbolicLink(dir.resolve("link"), Path.of("f0"));
            }
        }
        Files.createLink(root.resolve("d0/hard"), root.resolve("d0/d1/f0"));
        Files.writeString(root.resolve("d1/d2/f3"), "original");
    }

    /** Applies random edits; returns what they were, for the failure message. */
    private static List<String> edit(Path root, Random random) throws IOException {
        List<String> done = new ArrayList<>();
        for (int i = 0; i < EDITS; i++) {
            List<Path> files = paths(root, Files::isRegularFile);
            List<Path> dirs = paths(root, p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !p.equals(root));
            if (files.isEmpty() || dirs.isEmpty()) {
                break;
            }
            Path file = files.get(random.nextInt(files.size()));
            Path dir = dirs.get(random.nextInt(dirs.size()));
            int kind = random.nextInt(12);
            done.add(kind + " " + root.relativize(file) + " " + root.relativize(dir));
            switch (kind) {
                case 0 -> {  // the same size, other bytes
                    byte[] bytes = Files.readAllBytes(file);
                    if (bytes.length > 0) {
                        bytes[0] ^= 1;
                    }
                    Files.write(file, bytes);
                }
                case 1 -> Files.writeString(file, "more\n", java.nio.file.StandardOpenOption.APPEND);
                case 2 -> Files.setPosixFilePermissions(file, EnumSet.of(PosixFilePermission.OWNER_READ));
                case 3 -> Sh.run("chown", "-h", "1000:1000", file.toString());
                case 4 -> Files.move(file, dir.resolve("moved-" + i));
                case 5 -> Files.createLink(dir.resolve("linked-" + i), file);
                case 6 -> Files.delete(file);
                case 7 -> {
                    Sh.run("rm", "-r", dir.toString());
                    Files.createDirectories(dir);
                    Files.writeString(dir.resolve("anew"), "anew\n");
                }
                case 8 -> {
                    Path link = dir.resolve("link");
                    Files.deleteIfExists(link);
                    Files.createSymbolicLink(link, Path.of("elsewhere-" + i));
                }
                case 9 -> Files.setLastModifiedTime(file, FileTime.fromMillis(1_000_000_000_000L + i));
                case 10 -> Files.write(file, Files.readAllBytes(file));  // identical bytes, a new mtime
                default -> Files.createDirectories(dir.resolve("new-" + i + "/deeper"));
            }
        }
        return done;
    }

    private static List<Path> paths(Path root, java.util.function.Predicate<Path> which) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(which).sorted().toList();
        }
    }
}
