package dev.lethe.root.btrfs;

import dev.lethe.testing.Contexts;
import dev.lethe.config.RootConfig;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Origin;
import dev.lethe.root.RootContext;
import dev.lethe.testing.Namespaces;
import dev.lethe.testing.Sh;
import dev.lethe.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real btrfs filesystem for a test: a sparse image on a tmpfs, attached to a loop device, with the
 * test's own view of the top level at {@link #top} (noatime, so that reading a tree to compare it
 * never writes to it). Needs root in a private mount namespace. {@link #close} unmounts everything
 * below the scratch, including mounts a killed process left behind, and detaches the loop device.
 */
final class BtrfsDisk implements AutoCloseable {

    final Path scratch;
    final String device;
    /** The test's own mount of the top level (subvolume ID 5). */
    final Path top;
    /** Stands for --root: the host directory where the managed root's stores are mounted. */
    final Path hostRoot;
    private int contexts;

    BtrfsDisk() throws IOException {
        Namespaces.assumeMountable();
        scratch = Files.createTempDirectory("lethe-btrfs");
        Sh.run("mount", "-t", "tmpfs", "-o", "size=1g", "lethe-btrfs", scratch.toString());
        Path image = scratch.resolve("disk.img");
        Sh.run("truncate", "-s", "512M", image.toString());
        device = Sh.run("losetup", "--find", "--show", image.toString()).strip();
        top = scratch.resolve("top");
        hostRoot = scratch.resolve("root");
        Files.createDirectories(hostRoot);
        format();
    }

    /** A new, empty filesystem on the same device. */
    void format() throws IOException {
        unmountBelow(scratch);
        Sh.run("mkfs.btrfs", "-q", "-f", device);
        Files.createDirectories(top);
        Sh.run("mount", "-o", "subvolid=5,noatime", device, top.toString());
    }

    /**
     * The shape of a real machine: @root with files, a symlink and nested subvolumes
     * (var/lib/machines, and one inside that), its read-only blank @root-blank made before any of
     * them, a store @persist and another subvolume @home, both with data.
     */
    void standardLayout() throws IOException {
        btrfs("subvolume", "create", at("@root").toString());
        for (String dir : List.of("etc", "var/lib", "tmp", "home", "persist")) {
            Files.createDirectories(at("@root/" + dir));
        }
        Files.writeString(at("@root/etc/fstab"), "# the blank root's fstab\n");
        btrfs("subvolume", "snapshot", "-r", at("@root").toString(), at("@root-blank").toString());

        Files.writeString(at("@root/etc/hostname"), "lethe-test\n");
        Files.writeString(at("@root/etc/fstab"), "# edited after the blank was made\n");
        Files.createSymbolicLink(at("@root/etc/localtime"), Path.of("/usr/share/zoneinfo/UTC"));
        Trees.generate(at("@root/usr/share/stuff"), 300, 1);
        btrfs("subvolume", "create", at("@root/var/lib/machines").toString());
        Trees.generate(at("@root/var/lib/machines/vm1"), 40, 2);
        btrfs("subvolume", "create", at("@root/var/lib/machines/inner").toString());
        Files.writeString(at("@root/var/lib/machines/inner/image.raw"), "nested twice\n");

        btrfs("subvolume", "create", at("@persist").toString());
        Trees.generate(at("@persist/var/lib/data"), 200, 3);
        btrfs("subvolume", "create", at("@home").toString());
        Trees.generate(at("@home/alice"), 100, 4);
    }

    Path at(String fromTop) {
        return top.resolve(fromTop);
    }

    Map<String, String> manifest(String fromTop) throws IOException {
        return Trees.manifest(at(fromTop));
    }

    /** What a boot does to the root: writes to it. */
    void use(String subvolume, String file) throws IOException {
        Files.writeString(at(subvolume).resolve(file), "written by a boot: " + file + "\n");
    }

    /** One subvolume as the test sees it. */
    record Sub(long id, String uuid) {}

    private static final Pattern LISTED = Pattern.compile("ID (\\d+) .* uuid (\\S+) path (.*)");

    /** Every subvolume: path from the top level → ID and UUID. */
    Map<String, Sub> subvolumes() {
        Map<String, Sub> subvolumes = new TreeMap<>();
        for (String line : Sh.run("btrfs", "subvolume", "list", "-u", top.toString()).split("\n")) {
            Matcher m = LISTED.matcher(line);
            if (m.matches()) {
                subvolumes.put(m.group(3), new Sub(Long.parseLong(m.group(1)), m.group(2)));
            }
        }
        return subvolumes;
    }

    /** The subvolumes directly in lethe-archives, by name. */
    List<String> archiveSubvolumes() {
        List<String> names = new ArrayList<>();
        for (String path : subvolumes().keySet()) {
            if (path.startsWith("lethe-archives/") && path.indexOf('/', "lethe-archives/".length()) < 0) {
                names.add(path.substring("lethe-archives/".length()));
            }
        }
        return names;
    }

    String registry() throws IOException {
        Path file = at("lethe-archives/.lethe-registry");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    static RootConfig.Btrfs config(String device, String subvolume, String blank) {
        return new RootConfig.Btrfs(device, subvolume, blank, RootConfig.Retention.UNDECLARED, new Origin("lethe.toml", 1));
    }

    /** A context with a fresh, empty scratch directory, as the strategy expects. */
    RootContext context(List<AbsolutePath> stores) throws IOException {
        Path dir = scratch.resolve("strategy-" + (++contexts));
        Files.createDirectories(dir);
        return Contexts.of(hostRoot, stores, dir);
    }

    BtrfsStrategy strategy(String subvolume, String blank, String... stores) throws IOException {
        return strategyOn(device, subvolume, blank, stores);
    }

    BtrfsStrategy strategyOn(String device, String subvolume, String blank, String... stores) throws IOException {
        return new BtrfsStrategy(config(device, subvolume, blank),
                context(List.of(stores).stream().map(AbsolutePath::of).toList()));
    }

    /** Mount points below {@code dir}, deepest first. */
    static List<String> mountsBelow(Path dir) throws IOException {
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mountPoint = line.split(" ")[4];
            if (mountPoint.startsWith(dir + "/")) {
                mounts.add(mountPoint);
            }
        }
        mounts.sort(Comparator.comparing(String::length).reversed());
        return mounts;
    }

    /** Unmounts what a killed process left mounted below {@code dir}, as a reboot would. */
    static void unmountBelow(Path dir) throws IOException {
        for (String mountPoint : mountsBelow(dir)) {
            Sh.run("umount", mountPoint);
        }
    }

    private static void btrfs(String... args) {
        List<String> command = new ArrayList<>(List.of("btrfs"));
        command.addAll(List.of(args));
        Sh.run(command.toArray(String[]::new));
    }

    @Override
    public void close() throws IOException {
        // The loop device keeps the image, and so the tmpfs, busy: btrfs mounts first, then the device.
        unmountBelow(scratch);
        Sh.tryRun("losetup", "-d", device);
        Sh.tryRun("umount", scratch.toString());
        Files.deleteIfExists(scratch);
    }
}
