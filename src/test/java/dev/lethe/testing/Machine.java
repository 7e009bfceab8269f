package dev.lethe.testing;

import dev.lethe.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway machine for tests: a tmpfs "root" with /etc/passwd (root, alice) and a persistent
 * "disk" mounted at /persist, all below a scratch directory. {@link #reboot()} replaces the root
 * with a fresh one and mounts the same disk again. Needs root in a private mount namespace.
 */
public final class Machine implements AutoCloseable {

    /** What the persistent disk is: the same tmpfs as the root (renames work), a tmpfs of its own, or ext4. */
    public enum Disk { ON_ROOT, TMPFS, EXT4 }

    public final Path scratch;
    public final Path root;
    public final Path disk;
    public final Path config;
    private final Disk kind;

    public Machine(Disk kind) throws IOException {
        Namespaces.assumeMountable();
        this.kind = kind;
        scratch = Files.createTempDirectory("lethe-test");
        Sh.run("mount", "-t", "tmpfs", "-o", "size=512m", "lethe-test", scratch.toString());
        root = scratch.resolve("root");
        disk = scratch.resolve("disk");
        config = scratch.resolve("lethe.toml");
        Files.createDirectories(root);
        Files.createDirectories(disk);
        switch (kind) {
            case ON_ROOT -> { }
            case TMPFS -> Sh.run("mount", "-t", "tmpfs", "-o", "size=256m", "disk", disk.toString());
            case EXT4 -> {
                Path image = scratch.resolve("disk.img");
                Sh.run("truncate", "-s", "256M", image.toString());
                Sh.run("mkfs.ext4", "-q", "-F", image.toString());
                Sh.run("mount", "-o", "loop", image.toString(), disk.toString());
            }
        }
        bootFreshRoot();
    }

    private void bootFreshRoot() throws IOException {
        Sh.run("mount", "-t", "tmpfs", "-o", "size=256m,mode=0755", "root", root.toString());
        for (String dir : List.of("etc", "home", "var/lib", "tmp", "persist")) {
            Files.createDirectories(root.resolve(dir));
        }
        Files.writeString(root.resolve("etc/passwd"),
                "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\nalice:x:1000:\n");
        Sh.run("install", "-d", "-o", "1000", "-g", "1000", "-m", "0700", root.resolve("home/alice").toString());
        if (kind == Disk.ON_ROOT) {
            return;  // the store is a plain directory on the root filesystem
        }
        Sh.run("mount", "--bind", disk.toString(), root.resolve("persist").toString());
    }

    /** Forgets the root: every mount below it goes, a fresh root comes up, the disk is mounted again. */
    public void reboot() throws IOException {
        if (kind == Disk.ON_ROOT) {
            throw new IllegalStateException("a store on the root does not survive a reboot");
        }
        Sh.run("umount", "-R", root.toString());
        bootFreshRoot();
    }

    public Path at(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    public void write(String absolute, String content) throws IOException {
        Path path = at(absolute);
        Files.createDirectories(path.getParent());
        Files.writeString(path, content);
    }

    public String read(String absolute) throws IOException {
        return Files.readString(at(absolute));
    }

    /**
     * Writes the config. On a machine whose store is a plain directory on the root, every store is
     * marked {@code on-root = true}, as such a config must say.
     */
    public void config(String toml) throws IOException {
        Files.writeString(config, kind == Disk.ON_ROOT
                ? toml.replace("path = \"/persist\"\n", "path = \"/persist\"\non-root = true\n") : toml);
    }

    /** The output and exit code of one lethe command. */
    public record Run(int exit, String out, String err) {
        public String all() {
            return out + err;
        }
    }

    /** Runs lethe in this JVM with --root and --config set to this machine. */
    public Run lethe(String... args) {
        List<String> full = new ArrayList<>(List.of(args));
        full.addAll(List.of("--root", root.toString(), "--config", config.toString()));
        return run(full);
    }

    /**
     * Runs lethe in this JVM with --root set to this machine but no --config, so that lethe finds
     * its config itself: $LETHE_CONFIG if set, else etc/lethe/lethe.toml in this machine's root.
     */
    public Run letheWithDefaultConfig(String... args) {
        List<String> full = new ArrayList<>(List.of(args));
        full.addAll(List.of("--root", root.toString()));
        return run(full);
    }

    private static Run run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    /** Runs lethe as a separate process (for crash injection), with extra environment variables. */
    public Run letheProcess(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = ChildJvm.command("dev.lethe.cli.Main");
        command.addAll(List.of(args));
        command.addAll(List.of("--root", root.toString(), "--config", config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Path outFile = scratch.resolve("process.out");
        Path errFile = scratch.resolve("process.err");
        builder.redirectOutput(outFile.toFile()).redirectError(errFile.toFile());
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("lethe did not finish in 120 s");
        }
        return new Run(process.exitValue(), Files.readString(outFile, StandardCharsets.UTF_8),
                Files.readString(errFile, StandardCharsets.UTF_8));
    }

    /** Mount points below this machine's root, as the root sees them ("/var/log"). */
    public List<String> mountsBelowRoot() throws IOException {
        List<String> mounts = new ArrayList<>();
        String prefix = root.toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mountPoint = line.split(" ")[4];
            if (mountPoint.startsWith(prefix + "/")) {
                mounts.add(mountPoint.substring(prefix.length()));
            }
        }
        return mounts;
    }

    @Override
    public void close() {
        Sh.tryRun("umount", "-R", scratch.toString());
        try {
            Files.deleteIfExists(scratch);
        } catch (IOException e) {
            // A leftover empty directory in /tmp is harmless; the mounts are gone.
        }
    }
}
