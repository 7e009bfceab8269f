package dev.lethe.exec;

import dev.lethe.boot.InstallStep;
import dev.lethe.boot.Installation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Carries out {@code lethe install} and {@code lethe uninstall} on a root directory. Every step
 * compares first and writes only what differs, so a second install changes nothing; files are
 * written under a temporary name and renamed into place. These paths belong to the system (under
 * /usr/lib, /usr/sbin, /etc), where no user can plant a link, so plain java.nio serves.
 */
public final class Installer {
    private final Path root;
    private final PrintWriter out;
    private final boolean dryRun;

    public Installer(Path root, PrintWriter out, boolean dryRun) {
        this.root = root;
        this.out = out;
        this.dryRun = dryRun;
    }

    /** What happened to one step. */
    public enum Outcome { CREATED, CHANGED, UNCHANGED, RAN }

    /**
     * Runs every step, removes what the previous install wrote and this one no longer does, then
     * records what was installed; returns how many paths changed. The old pieces go only once the
     * new ones are written (a step that fails leaves them), and before the command that regenerates
     * the initramfs, which runs only when a path before it changed.
     */
    public int install(List<InstallStep> steps) throws IOException, InterruptedException {
        int changes = 0;
        boolean staleRemoved = false;
        List<String> installed = new ArrayList<>();
        for (InstallStep step : steps) {
            if (step instanceof InstallStep.Run && !staleRemoved) {
                changes += removeStale(steps);
                staleRemoved = true;
            }
            if (step instanceof InstallStep.Run run && changes == 0) {
                out.printf("%-12s %s (nothing changed)%n", "skip", String.join(" ", run.command()));
                continue;
            }
            if (apply(step) != Outcome.UNCHANGED) {
                changes++;
            }
            if (!step.path().isEmpty()) {
                installed.add(step.path());
            }
        }
        if (!staleRemoved) {
            changes += removeStale(steps);
        }
        String manifest = String.join("\n", installed) + "\n";
        if (!dryRun && !manifest.equals(read(host(Installation.MANIFEST)))) {
            write(host(Installation.MANIFEST), manifest, 0644);
        }
        out.flush();
        return changes;
    }

    private Outcome apply(InstallStep step) throws IOException, InterruptedException {
        return switch (step) {
            case InstallStep.WriteFile file -> report("write", file.path(), writeIfDifferent(host(file.path()), file.content(), file.mode()));
            case InstallStep.Copy copy -> report("copy", copy.path(), copyIfDifferent(copy.from(), host(copy.path())));
            case InstallStep.Link link -> report("link", link.path() + " -> " + link.target(), linkIfDifferent(host(link.path()), link.target()));
            case InstallStep.Run run -> {
                run(run);
                yield Outcome.RAN;
            }
        };
    }

    private Outcome report(String verb, String what, Outcome outcome) {
        switch (outcome) {
            case UNCHANGED -> out.printf("%-12s %s%n", "unchanged", what);
            case CREATED, CHANGED -> out.printf("%-12s %s (%s)%n", (dryRun ? "would " : "") + verb, what,
                    outcome == Outcome.CREATED ? "new" : "changed");
            case RAN -> { }
        }
        out.flush();
        return outcome;
    }

    /**
     * What the previous manifest lists and these steps no longer write (the machine-id drop-in once
     * the id is no longer persisted, the boot's AOT cache of an older build): left in place, a unit
     * or hook of an older configuration would still run at boot, and uninstall would not know it.
     * Only files and links go this way, never a directory nor what holds a path still installed.
     */
    private int removeStale(List<InstallStep> steps) throws IOException {
        List<String> planned = steps.stream().map(InstallStep::path).filter(path -> !path.isEmpty()).toList();
        List<String> stale = new ArrayList<>();
        for (String path : listed()) {
            if (planned.contains(path)) {
                continue;
            }
            if (planned.stream().anyMatch(kept -> kept.startsWith(path + "/"))
                    || Files.isDirectory(host(path), LinkOption.NOFOLLOW_LINKS)) {
                out.printf("%-12s %s (no longer installed, but a directory: lethe removes only the files it wrote)%n",
                        "kept", path);
                continue;
            }
            stale.add(path);
        }
        return remove(stale, "(no longer installed)");
    }

    /**
     * The paths the manifest of the last install lists, in the order they were written: each
     * absolute and normal (no "." or ".." component, no empty one), below the root, and not the root
     * itself. A line that is not is ignored: the manifest is only a record, never trusted to name
     * what may be deleted outside lethe's own paths.
     */
    private List<String> listed() throws IOException {
        String listed = read(host(Installation.MANIFEST));
        if (listed == null) {
            return List.of();
        }
        List<String> paths = new ArrayList<>();
        for (String line : listed.split("\n")) {
            if (line.length() > 1 && line.startsWith("/") && !line.endsWith("/")
                    && Arrays.stream(line.substring(1).split("/", -1)).noneMatch(c -> c.isEmpty() || c.equals(".") || c.equals(".."))) {
                paths.add(line);
            } else if (!line.isEmpty()) {
                out.printf("%-12s %s (not a path lethe writes: ignored)%n", "skip", line);
            }
        }
        return paths;
    }

    /** True if a directory above {@code path}, below the root, is a symbolic link (then it is not lethe's path any more). */
    private boolean throughLink(String path) {
        Path at = root;
        String[] components = path.substring(1).split("/");
        for (int i = 0; i < components.length - 1; i++) {
            at = at.resolve(components[i]);
            if (Files.isSymbolicLink(at)) {
                return true;
            }
        }
        return false;
    }

    /** Removes each path that exists, last written first, except the package's own files; returns how many. */
    private int remove(List<String> paths, String why) throws IOException {
        int removed = 0;
        // A manifest written before the package was installed lists the runtime too: it is dpkg's now.
        boolean packaged = Files.exists(host(Installation.PACKAGED), LinkOption.NOFOLLOW_LINKS);
        for (String path : paths.reversed()) {
            Path host = host(path);
            if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            if (packaged && Installation.packageOwned().stream().anyMatch(owned -> owned.equals(path) || owned.startsWith(path + "/"))) {
                out.printf("%-12s %s (the lethe package's: apt remove lethe removes it)%n", "kept", path);
                continue;
            }
            if (throughLink(path)) {
                out.printf("%-12s %s (a directory above it is a symbolic link: not lethe's path)%n", "kept", path);
                continue;
            }
            out.printf("%-12s %s%s%n", dryRun ? "would remove" : "remove", path, why.isEmpty() ? "" : " " + why);
            removed++;
            if (!dryRun) {
                deleteTree(host);
            }
        }
        return removed;
    }

    /** Removes what the manifest lists (and the directories install made that are left empty). */
    public int uninstall() throws IOException, InterruptedException {
        if (read(host(Installation.MANIFEST)) == null) {
            out.println("lethe is not installed on " + root + " (no " + Installation.MANIFEST + "); nothing to remove");
            return 0;
        }
        List<String> paths = new ArrayList<>(listed());
        paths.add(Installation.MANIFEST);
        boolean packaged = Files.exists(host(Installation.PACKAGED), LinkOption.NOFOLLOW_LINKS);
        int removed = remove(paths, "");
        if (!dryRun) {
            List<String> directories = packaged ? List.of("/usr/lib/lethe/initrd", "/usr/lib/dracut/modules.d/90lethe")
                    : List.of("/usr/lib/lethe/initrd", Installation.HOME, "/usr/lib/dracut/modules.d/90lethe");
            for (String directory : directories) {
                try {
                    Files.deleteIfExists(host(directory));
                } catch (java.nio.file.DirectoryNotEmptyException kept) {
                    out.println("kept         " + directory + " (not empty: holds files lethe did not install)");
                }
            }
        }
        out.flush();
        return removed;
    }

    private Path host(String path) {
        return root.resolve(path.substring(1));
    }

    private Outcome writeIfDifferent(Path target, String content, int mode) throws IOException {
        String existing = read(target);
        boolean sameMode = existing != null && Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS).equals(permissions(mode));
        if (content.equals(existing) && sameMode) {
            return Outcome.UNCHANGED;
        }
        if (!dryRun) {
            write(target, content, mode);
        }
        return existing == null ? Outcome.CREATED : Outcome.CHANGED;
    }

    private static String read(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static void write(Path target, String content, int mode) throws IOException {
        Files.createDirectories(target.getParent());
        Path temporary = target.resolveSibling("." + target.getFileName() + ".lethe-new");
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(temporary, permissions(mode));
        try (var channel = java.nio.channels.FileChannel.open(temporary, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Outcome copyIfDifferent(Path from, Path to) throws IOException {
        if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
            throw new java.nio.file.NoSuchFileException(from.toString(), null,
                    "missing from the lethe build; build it first (scripts/build)");
        }
        boolean existed = Files.exists(to, LinkOption.NOFOLLOW_LINKS);
        List<Path[]> differing = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (!same(source, target)) {
                    differing.add(new Path[] {source, target});
                }
            }
        }
        if (differing.isEmpty()) {
            return Outcome.UNCHANGED;
        }
        if (!dryRun) {
            for (Path[] pair : differing) {
                copyOne(pair[0], pair[1]);
            }
        }
        return existed ? Outcome.CHANGED : Outcome.CREATED;
    }

    private static boolean same(Path source, Path target) throws IOException {
        if (Files.isSymbolicLink(source)) {
            return Files.isSymbolicLink(target) && Files.readSymbolicLink(source).equals(Files.readSymbolicLink(target));
        }
        if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            return Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS);
        }
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        BasicFileAttributes a = Files.readAttributes(source, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        BasicFileAttributes b = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return a.size() == b.size() && a.lastModifiedTime().equals(b.lastModifiedTime())
                && Files.getPosixFilePermissions(source).equals(Files.getPosixFilePermissions(target))
                && Files.mismatch(source, target) == -1;
    }

    private static void copyOne(Path source, Path target) throws IOException {
        if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(target);
            return;
        }
        Files.createDirectories(target.getParent());
        Path temporary = target.resolveSibling("." + target.getFileName() + ".lethe-new");
        // COPY_ATTRIBUTES keeps the modification time: the AOT cache accepts the jar and the runtime by it.
        Files.copy(source, temporary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES,
                LinkOption.NOFOLLOW_LINKS);
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Outcome linkIfDifferent(Path link, String target) throws IOException {
        if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).toString().equals(target)) {
            return Outcome.UNCHANGED;
        }
        boolean existed = Files.exists(link, LinkOption.NOFOLLOW_LINKS);
        if (existed && !Files.isSymbolicLink(link)) {
            throw new IOException(link + " exists and is not a symbolic link; lethe will not replace it. Remove it and install again");
        }
        if (!dryRun) {
            Files.createDirectories(link.getParent());
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of(target));
        }
        return existed ? Outcome.CHANGED : Outcome.CREATED;
    }

    /** Runs a command in the managed root (chroot unless it is /), or says it would. */
    public void run(InstallStep.Run run) throws IOException, InterruptedException {
        out.printf("%-12s %s (%s)%n", dryRun ? "would run" : "run", String.join(" ", run.command()), run.why());
        out.flush();
        if (!dryRun) {
            run(run.command());
        }
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (!root.toString().equals("/")) {
            full.addAll(List.of("chroot", root.toString()));
        }
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IOException(String.join(" ", full) + " failed (exit " + exit + "): " + output.strip()
                    + ". Run it by hand");
        }
    }

    private static void deleteTree(Path path) throws IOException {
        if (Files.isSymbolicLink(path) || !Files.isDirectory(path)) {
            Files.delete(path);
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** The permission bits of {@code mode} (0755) as java.nio reads them ("rwxr-xr-x"). */
    private static Set<PosixFilePermission> permissions(int mode) {
        StringBuilder text = new StringBuilder();
        for (int bit = 8; bit >= 0; bit--) {
            text.append((mode & (1 << bit)) != 0 ? "rwx".charAt((8 - bit) % 3) : '-');
        }
        return java.nio.file.attribute.PosixFilePermissions.fromString(text.toString());
    }
}
