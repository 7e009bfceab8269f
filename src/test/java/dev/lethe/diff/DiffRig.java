package dev.lethe.diff;

import dev.lethe.testing.Contexts;
import dev.lethe.config.Config;
import dev.lethe.config.ConfigLoader;
import dev.lethe.root.RootStrategy;
import dev.lethe.cli.Strategies;
import dev.lethe.root.overlay.OverlayStrategy;
import dev.lethe.testing.Namespaces;
import dev.lethe.testing.Sh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * An overlay machine for the diff tests, in the test run's private mount namespace: an ext4 image
 * holds the blank root ({@link #lowerRw} read-write to fill it, {@link #root} its read-only bind, the
 * managed root), a second ext4 image mounted at {@code root/overlay} holds {@code upper}, and the
 * current boot's overlay is mounted at {@link #sysroot}, where the tests make their changes as a
 * booted system would.
 */
public final class DiffRig implements AutoCloseable {

    public final Path scratch;
    public final Path lowerRw;
    public final Path root;
    public final Path sysroot;
    public final Path config;

    public DiffRig() throws IOException {
        Namespaces.assumeMountable();
        scratch = Files.createTempDirectory("lethe-diff");
        Sh.run("mount", "-t", "tmpfs", "-o", "size=400m", "lethe-diff-test", scratch.toString());
        lowerRw = scratch.resolve("lower-rw");
        root = scratch.resolve("root");
        sysroot = scratch.resolve("sysroot");
        config = scratch.resolve("lethe.toml");
        for (Path dir : List.of(lowerRw, root, sysroot)) {
            Files.createDirectories(dir);
        }
        Path lowerImage = scratch.resolve("lower.img");
        Sh.mountNewExt4(lowerImage, "64M", lowerRw);
        Files.deleteIfExists(lowerRw.resolve("lost+found"));
        writeBlank(lowerRw);
        Sh.run("mount", "--bind", lowerRw.toString(), root.toString());
        Sh.run("mount", "-o", "remount,bind,ro", root.toString());

        Path diskImage = scratch.resolve("upper.img");
        Sh.mountNewExt4(diskImage, "64M", root.resolve("overlay"));
    }

    /** Fills {@code dir} with the blank root the known changes are made on (any strategy's blank). */
    public static void writeBlank(Path dir) throws IOException {
        write(dir, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\n");
        write(dir, "etc/group", "root:x:0:\nalice:x:1000:\n");
        write(dir, "etc/hostname", "pristine\n");
        write(dir, "etc/motd", "welcome\n");
        write(dir, "etc/mode-me", "m\n");
        write(dir, "etc/shared", "s\n");
        write(dir, "etc/own-me", "o\n");
        write(dir, "etc/dirA/x", "x\n");
        write(dir, "etc/dirA/sub/z", "z\n");
        write(dir, "etc/dirB/y", "y\n");
        write(dir, "etc/dirC/c1", "c\n");
        Files.createSymbolicLink(dir.resolve("etc/link"), Path.of("hostname"));
        for (String empty : List.of("overlay", "persist", "var/lib", "var/cache", "var/log", "usr/bin")) {
            Files.createDirectories(dir.resolve(empty));
        }
    }

    private static void write(Path dir, String relative, String content) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    /** Writes the config (its [root] and [[store]] tables) and loads it. */
    public Config config(String toml) throws IOException, dev.lethe.config.ConfigException {
        Files.writeString(config, toml);
        return ConfigLoader.load(config, root);
    }

    /** The config's strategy on this machine. */
    public RootStrategy strategy(Config loaded) throws IOException {
        Path contextScratch = Files.createDirectories(scratch.resolve("context"));
        return Strategies.of(loaded.root(), Contexts.of(root,
                loaded.stores().stream().map(dev.lethe.config.StoreConfig::path).toList(), contextScratch));
    }

    /** Makes the first boot directory (a wipe) and mounts its overlay at sysroot, as the initrd does. */
    public OverlayStrategy.MountOptions boot(Config loaded) throws IOException {
        OverlayStrategy overlay = (OverlayStrategy) strategy(loaded);
        overlay.wipe(new RootStrategy.WipeRequest(Instant.now(), false));
        OverlayStrategy.MountOptions options = overlay.mountOptions();
        Sh.run("mount", "-t", "overlay", "overlay", "-o", options.text(), sysroot.toString());
        return options;
    }

    /** A shell command run inside the booted overlay root (cd'd to sysroot). */
    public void sh(String script) {
        Sh.run("sh", "-ec", "cd " + sysroot + " && " + script);
    }

    /** The known set of changes the tests make on the booted overlay. */
    public void makeKnownChanges() {
        makeKnownChanges(sysroot);
    }

    /** Makes the known set of changes ({@link DiffTestKnown#KNOWN}) on a booted root at {@code root}. */
    public static void makeKnownChanges(Path root) {
        Sh.run("sh", "-ec", "cd " + root + " && " + KNOWN_CHANGES);
    }

    /** The shell script (run in the root) that makes the changes {@link DiffTestKnown#KNOWN} lists. */
    public static final String KNOWN_CHANGES = String.join("\n",
            "echo changed > etc/hostname",                 // modified content
            "rm etc/motd",                                 // deleted file
            "rm -r etc/dirA",                              // deleted directory
            "rm etc/dirB/y && mkdir etc/dirB/y && echo i > etc/dirB/y/inner",  // type change: file -> directory
            "rm -r etc/dirC && mkdir etc/dirC && echo n > etc/dirC/new",       // directory replaced (opaque)
            "chmod 0600 etc/mode-me",                      // metadata only
            "chown 1000:1000 etc/own-me",                  // owner only
            "ln -sfn motd etc/link",                       // symlink retargeted
            "ln etc/shared etc/shared-link",               // hard link to a lower file
            ": > etc/empty",                               // empty new file
            "mkdir -p var/lib/foo/db && printf 12345 > var/lib/foo/data",
            "head -c 1000 /dev/zero > var/lib/foo/db/big",
            "chown 1000:1000 var/lib/foo && chmod 0750 var/lib/foo",
            "echo log > var/log/syslog",                   // persisted: never reported
            "mkdir -p var/cache/app && echo c > var/cache/app/blob");  // ignored by glob

    @Override
    public void close() {
        Sh.tryRun("umount", "-R", scratch.toString());
        try {
            Files.deleteIfExists(scratch);
        } catch (IOException e) {
            // An empty directory left in /tmp is harmless; the mounts go with the namespace anyway.
        }
    }
}
