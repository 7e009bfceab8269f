package dev.lethe.testing;

import dev.lethe.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
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
 * A throwaway machine whose root is a btrfs subvolume, as a real one would be set up: a btrfs
 * image on a loop device with {@code @root} (the root: /etc/passwd with root and alice, /home/alice,
 * /etc/motd), its read-only blank state {@code @root-blank}, and {@code @persist} (the store).
 * {@code @root} is mounted at {@link #root} and {@code @persist} at root/persist; the test's own
 * view of the top level (subvolume ID 5, noatime) is at {@link #top}. {@link #reboot()} mounts
 * whatever {@code @root} is now (the fresh one after a wipe). Needs root in a private mount
 * namespace; {@link #close} unmounts everything and detaches the loop device, also after a failure.
 */
public final class BtrfsMachine implements AutoCloseable {

    public final Path scratch;
    public final Path root;
    public final Path top;
    public final Path config;
    public final String device;

    public BtrfsMachine() throws IOException {
        Namespaces.assumeMountable();
        scratch = Files.createTempDirectory("lethe-btrfs-machine");
        root = scratch.resolve("root");
        top = scratch.resolve("top");
        config = scratch.resolve("lethe.toml");
        String attached = null;
        try {
            Sh.run("mount", "-t", "tmpfs", "-o", "size=1g", "lethe-btrfs-machine", scratch.toString());
            Path image = scratch.resolve("disk.img");
            Sh.run("truncate", "-s", "512M", image.toString());
            attached = Sh.run("losetup", "--find", "--show", image.toString()).strip();
            Sh.run("mkfs.btrfs", "-q", "-f", attached);
            Files.createDirectories(top);
            Files.createDirectories(root);
            Sh.run("mount", "-o", "subvolid=5,noatime", attached, top.toString());
            Sh.run("btrfs", "-q", "subvolume", "create", at("@root").toString());
            skeleton(at("@root"));
            // Done once when setting a machine up: the blank state every boot starts from.
            Sh.run("btrfs", "-q", "subvolume", "snapshot", "-r", at("@root").toString(), at("@root-blank").toString());
            Sh.run("btrfs", "-q", "subvolume", "create", at("@persist").toString());
        } catch (IOException | RuntimeException e) {
            cleanUp(scratch, attached);
            throw e;
        }
        device = attached;
        boot();
    }

    private static void skeleton(Path root) throws IOException {
        for (String dir : List.of("etc", "home", "var/lib", "tmp", "persist")) {
            Files.createDirectories(root.resolve(dir));
        }
        Files.writeString(root.resolve("etc/passwd"),
                "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\nalice:x:1000:\n");
        Files.writeString(root.resolve("etc/motd"), "Welcome.\n");
        Sh.run("install", "-d", "-o", "1000", "-g", "1000", "-m", "0700", root.resolve("home/alice").toString());
    }

    private void boot() {
        Sh.run("mount", "-o", "subvol=@root", device, root.toString());
        Sh.run("mount", "-o", "subvol=@persist", device, root.resolve("persist").toString());
    }

    /** Forgets every mount below the root, then mounts @root (the fresh one after a wipe) and the store again. */
    public void reboot() {
        Sh.run("umount", "-R", root.toString());
        boot();
    }

    /** The [root] section for this machine's disk; a config is this plus its stores. */
    public String rootSection() {
        return """
                [root]
                strategy = "btrfs"
                device = "%s"
                subvolume = "@root"
                blank = "@root-blank"
                """.formatted(device);
    }

    public void config(String toml) throws IOException {
        Files.writeString(config, toml);
    }

    /** A path of the managed root, as the host sees it. */
    public Path at(String absoluteOrFromTop) {
        return absoluteOrFromTop.startsWith("/") ? root.resolve(absoluteOrFromTop.substring(1)) : top.resolve(absoluteOrFromTop);
    }

    public void write(String absolute, String content) throws IOException {
        Path path = at(absolute);
        Files.createDirectories(path.getParent());
        Files.writeString(path, content);
    }

    public String read(String absolute) throws IOException {
        return Files.readString(at(absolute));
    }

    /** The manifest of a subvolume, read through the test's own view of the top level. */
    public Map<String, String> manifest(String subvolume) throws IOException {
        return Trees.manifest(top.resolve(subvolume));
    }

    private static final Pattern LISTED = Pattern.compile("ID (\\d+) .* uuid (\\S+) path (.*)");

    /** Every subvolume: path from the top level → "ID uuid". */
    public Map<String, String> subvolumes() {
        Map<String, String> subvolumes = new TreeMap<>();
        for (String line : Sh.run("btrfs", "subvolume", "list", "-u", top.toString()).split("\n")) {
            Matcher m = LISTED.matcher(line);
            if (m.matches()) {
                subvolumes.put(m.group(3), m.group(1) + " " + m.group(2));
            }
        }
        return subvolumes;
    }

    /** Waits until the clock is in the next whole second: archive names have a resolution of one second. */
    public static void nextSecond() throws InterruptedException {
        Thread.sleep(1000 - System.currentTimeMillis() % 1000 + 20);
    }

    /** The output and exit code of one lethe command. */
    public record Run(int exit, String out, String err) {
        public String all() {
            return out + err;
        }
    }

    /**
     * Runs lethe in this JVM with --root and --config set to this machine. {@code archive show}
     * writes a file's bytes straight to System.out (binary-safe), so System.out is captured too and
     * appended to {@link Run#out}.
     */
    public Run lethe(String... args) {
        List<String> full = new ArrayList<>(List.of(args));
        full.addAll(List.of("--root", root.toString(), "--config", config.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int exit;
        try (PrintStream capture = new PrintStream(raw, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), full.toArray(String[]::new));
        } finally {
            System.setOut(stdout);
        }
        return new Run(exit, out + raw.toString(StandardCharsets.UTF_8), err.toString());
    }

    @Override
    public void close() throws IOException {
        cleanUp(scratch, device);
    }

    /** Unmounts everything below the scratch (deepest first), detaches the loop device, drops the scratch. */
    private static void cleanUp(Path scratch, String device) throws IOException {
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mountPoint = line.split(" ")[4];
            if (mountPoint.startsWith(scratch + "/")) {
                mounts.add(mountPoint);
            }
        }
        mounts.sort(Comparator.comparing(String::length).reversed());
        for (String mountPoint : mounts) {
            Sh.tryRun("umount", mountPoint);
        }
        // The loop device keeps the image, and so the tmpfs, busy: the btrfs mounts first, then the device.
        if (device != null) {
            Sh.tryRun("losetup", "-d", device);
        }
        Sh.tryRun("umount", scratch.toString());
        Files.deleteIfExists(scratch);
    }
}
