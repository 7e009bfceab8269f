package dev.lethe.root.overlay;

import dev.lethe.testing.Contexts;
import dev.lethe.config.RootConfig;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Origin;
import dev.lethe.root.RootContext;
import dev.lethe.testing.Namespaces;
import dev.lethe.testing.Sh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A machine for the overlay tests, all on a tmpfs scratch in the test run's private mount namespace:
 * an ext4 image as the real root ({@link #lowerRw} read-write to fill and to compare, {@link #root}
 * its read-only bind mount, the managed root), and a second ext4 image mounted at
 * {@code root/overlay}, the persistent filesystem that holds {@code upper}. {@link #sysroot} is
 * where the overlay is mounted, as the initrd would.
 */
final class OverlayRig implements AutoCloseable {

    final Path scratch;
    final Path lowerRw;
    final Path root;
    final Path disk;
    final Path sysroot;

    OverlayRig() throws IOException {
        Namespaces.assumeMountable();
        scratch = Files.createTempDirectory("lethe-overlay");
        Sh.run("mount", "-t", "tmpfs", "-o", "size=640m", "lethe-overlay-test", scratch.toString());
        lowerRw = scratch.resolve("lower-rw");
        root = scratch.resolve("root");
        sysroot = scratch.resolve("sysroot");
        for (Path dir : List.of(lowerRw, root, sysroot)) {
            Files.createDirectories(dir);
        }
        Path lowerImage = scratch.resolve("lower.img");
        Sh.mountNewExt4(lowerImage, "64M", lowerRw);
        write(lowerRw.resolve("etc/hostname"), "pristine\n");
        write(lowerRw.resolve("etc/dirA/x"), "x\n");
        write(lowerRw.resolve("etc/dirB/y"), "y\n");
        write(lowerRw.resolve("usr/bin/tool"), "#!/bin/sh\n");
        for (String dir : List.of("overlay", "persist", "mnt", "home")) {
            Files.createDirectories(lowerRw.resolve(dir));
        }
        Files.createSymbolicLink(lowerRw.resolve("ovlink"), Path.of("overlay"));
        Sh.run("mount", "--bind", "-o", "ro", lowerRw.toString(), root.toString());

        disk = root.resolve("overlay");
        Path diskImage = scratch.resolve("upper.img");
        Sh.mountNewExt4(diskImage, "256M", disk);
    }

    static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    static RootConfig.Overlay config(String upper) {
        return config(upper, Optional.empty());
    }

    static RootConfig.Overlay config(String upper, Optional<String> device) {
        return new RootConfig.Overlay(AbsolutePath.of(upper), device, RootConfig.Retention.UNDECLARED,
                new Origin("lethe.toml", 1));
    }

    OverlayStrategy strategy(String upper, String... stores) throws IOException {
        return new OverlayStrategy(config(upper), context(stores));
    }

    RootContext context(String... stores) throws IOException {
        Path contextScratch = Files.createDirectories(scratch.resolve("context"));
        return Contexts.of(root, Stream.of(stores).map(AbsolutePath::of).toList(), contextScratch);
    }

    /** Host path of a managed path: "/overlay/x" → scratch/root/overlay/x. */
    Path at(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    /** Mounts the current boot's overlay at sysroot, as the initrd will. */
    void mount(OverlayStrategy strategy) throws IOException {
        Sh.run("mount", "-t", "overlay", "overlay", "-o", strategy.mountOptions().text(), sysroot.toString());
    }

    void unmount() {
        Sh.run("umount", sysroot.toString());
    }

    /** Names of the boot directories under an upper, sorted. */
    List<String> boots(String upper) throws IOException {
        Path boots = at(upper).resolve("boots");
        if (!Files.isDirectory(boots)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(boots)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The boot directory current points at, or null. */
    String current(String upper) throws IOException {
        Path link = at(upper).resolve("current");
        return Files.isSymbolicLink(link) ? Files.readSymbolicLink(link).getFileName().toString() : null;
    }

    /**
     * An overlay upper directory as overlayfs wrote it: relative path → "dir", "dir opaque",
     * "file CONTENT", "link -> TARGET", "whiteout" (character device 0/0).
     */
    static Map<String, String> upperManifest(Path top) throws IOException {
        Map<String, String> manifest = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(top)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                manifest.put(top.relativize(path).toString(), describe(path));
            }
        }
        return manifest;
    }

    private static String describe(Path path) throws IOException {
        Map<String, Object> unix = Files.readAttributes(path, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
        int type = (Integer) unix.get("mode") & 0170000;
        return switch (type) {
            case 0040000 -> Sh.tryRun("getfattr", "--absolute-names", "--only-values", "-n", "trusted.overlay.opaque",
                    path.toString()).output().equals("y") ? "dir opaque" : "dir";
            case 0100000 -> "file " + Files.readString(path);
            case 0120000 -> "link -> " + Files.readSymbolicLink(path);
            case 0020000 -> (Long) unix.get("rdev") == 0 ? "whiteout" : "char device";
            default -> "type " + Integer.toOctalString(type);
        };
    }

    @Override
    public void close() {
        Sh.tryRun("umount", "-R", scratch.toString());
        try {
            Files.deleteIfExists(scratch);
        } catch (IOException e) {
            // An empty directory left in /tmp is harmless; the mounts are gone with the namespace anyway.
        }
    }
}
