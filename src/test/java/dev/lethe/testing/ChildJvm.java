package dev.lethe.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * The command line of a JVM the tests start to run a main class of lethe or of the tests (the crash
 * sweeps start one per crash point: most of the suite's time). Each such JVM loads and links the
 * same few thousand classes; an AOT cache (JDK 25, JEP 483/515) trained once per test run holds them
 * ready, which makes a child about a third cheaper. An AOT cache only serves classes from jars, so
 * the build's class directories are first packed into one jar in {@code target/child-jvm/}.
 *
 * <p>Speed only: every child runs the same code either way. When the cache cannot be made (no
 * {@code target/classes} on the class path, a failed training run), children run from the class
 * path as it is, and the reason is printed once.
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** The flags every child runs with: a short-lived process needs neither C2 nor a parallel GC. */
    private static final List<String> FLAGS = flags();

    private static List<String> flags() {
        List<String> flags = new ArrayList<>(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED"));
        // the system calls as this JVM makes them (and as lethe does): through the build's native library (pom.xml)
        String library = System.getProperty("lethe.syscall.library");
        if (library != null) {
            flags.add("-Dlethe.syscall.library=" + library);
        }
        return List.copyOf(flags);
    }

    /** How every child starts: java with its flags, and the class path (the packed jar's when cached). */
    private record Launch(List<String> prefix, String classPath) {}

    private static Launch launch;

    /** {@code java}, the shared flags, {@code extraFlags}, the class path, then {@code mainClass}. */
    public static List<String> command(String mainClass, String... extraFlags) {
        Launch l = launch();
        List<String> command = new ArrayList<>(l.prefix());
        command.addAll(List.of(extraFlags));
        command.addAll(List.of("-cp", l.classPath(), mainClass));
        return command;
    }

    /**
     * As {@link #command}, without the cache and from the test run's own class path: for a child
     * whose loaded classes are the observation (an AOT cache loads every class it holds at start-up),
     * or whose build identity must be the test JVM's (caches keyed by the running build).
     */
    public static List<String> uncachedCommand(String mainClass, String... extraFlags) {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(FLAGS);
        command.addAll(List.of(extraFlags));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        return command;
    }

    /** The java binary of this JVM. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static synchronized Launch launch() {
        if (launch == null) {
            List<String> prefix = new ArrayList<>(List.of(java()));
            prefix.addAll(FLAGS);
            String classPath = System.getProperty("java.class.path");
            Launch cached = cached(prefix, classPath);
            launch = cached != null ? cached : new Launch(List.copyOf(prefix), classPath);
        }
        return launch;
    }

    /** Packs the class directories into a jar and trains a cache on it; null (and says why) on failure. */
    private static Launch cached(List<String> prefix, String classPath) {
        List<String> entries = List.of(classPath.split(File.pathSeparator));
        List<Path> directories = entries.stream().map(Path::of).filter(Files::isDirectory).toList();
        Path mainClasses = directories.stream().filter(d -> d.endsWith("classes")).findFirst().orElse(null);
        if (mainClasses == null || mainClasses.toAbsolutePath().getParent() == null) {
            System.err.println("ChildJvm: no target/classes on the class path; children run without an AOT cache");
            return null;
        }
        // one per Maven test fork (pom.xml): two forks run at once
        Path dir = mainClasses.toAbsolutePath().getParent().resolve("child-jvm")
                .resolve("fork-" + System.getProperty("lethe.test.fork", "0"));
        Path jar = dir.resolve("classes.jar");
        Path cache = dir.resolve("children.aot");
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(cache);
            pack(directories, jar);
            List<String> packed = new ArrayList<>(List.of(jar.toString()));
            entries.stream().filter(e -> !Files.isDirectory(Path.of(e))).forEach(packed::add);
            String packedPath = String.join(File.pathSeparator, packed);
            if (!train(packedPath, cache, dir)) {
                return null;
            }
            List<String> withCache = new ArrayList<>(prefix);
            withCache.add("-XX:AOTCache=" + cache);
            return new Launch(List.copyOf(withCache), packedPath);
        } catch (IOException e) {
            System.err.println("ChildJvm: " + e.getMessage() + "; children run without an AOT cache");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** One jar of every class directory, the first one's classes winning (as on the class path). */
    private static void pack(List<Path> directories, Path jar) throws IOException {
        java.util.Set<String> seen = new java.util.HashSet<>();
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out)) {
            for (Path directory : directories) {
                Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        String name = directory.relativize(file).toString().replace(File.separatorChar, '/');
                        if (seen.add(name)) {
                            jarOut.putNextEntry(new JarEntry(name));
                            Files.copy(file, jarOut);
                            jarOut.closeEntry();
                        }
                        return FileVisitResult.CONTINUE;
                    }
                });
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * The build's own training run (dev.lethe.cli.Training: the boot path, then the commands run by
     * hand) on a scratch root with an on-root store.
     */
    private static boolean train(String packed, Path cache, Path dir) throws IOException, InterruptedException {
        Path scratch = Files.createTempDirectory(dir, "train");
        try {
            Path root = scratch.resolve("root");
            for (String d : List.of("etc", "persist", "var/log", "home/alice")) {
                Files.createDirectories(root.resolve(d));
            }
            Files.writeString(root.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
            Files.writeString(root.resolve("etc/group"), "root:x:0:\nalice:x:1000:\n");
            Files.writeString(root.resolve("etc/machine-id"), "0123\n");
            Files.writeString(root.resolve("var/log/old.log"), "old\n");
            Path config = scratch.resolve("lethe.toml");
            Files.writeString(config, """
                    [[store]]
                    path = "/persist"
                    on-root = true
                    directories = ["/var/log", { path = "/var/lib/app", mode = "0700" }]
                    files = ["/etc/machine-id"]
                    [store.users.alice]
                    directories = ["Documents"]
                    """);
            // As root the boot command binds the entries: in a mount namespace of the training's own,
            // which vanishes with it, so that no mount outlives it whoever started the tests.
            List<String> command = new ArrayList<>();
            if (Namespaces.isRoot()) {
                command.addAll(List.of("unshare", "--mount", "--propagation", "private"));
            }
            command.add(java());
            command.addAll(FLAGS);
            command.addAll(List.of("-XX:AOTCacheOutput=" + cache, "-cp", packed, "dev.lethe.cli.Training",
                    "--root", root.toString(), "--config", config.toString()));
            Path log = dir.resolve("training.log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            if (!Files.isRegularFile(cache) || Files.size(cache) == 0) {
                System.err.println("ChildJvm: the AOT training made no cache (log: " + log + "); children run without one");
                return false;
            }
            return true;
        } finally {
            Sh.tryRun("rm", "-rf", scratch.toString());
        }
    }
}
