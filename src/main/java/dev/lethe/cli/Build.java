package dev.lethe.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/** Where the running lethe's build is: lethe.jar, lib/, runtime/ and lethe.aot. */
final class Build {
    private Build() {}

    /**
     * {@code -Dlethe.home} is the repository in a development checkout (the build in its target/)
     * and the installed directory (/usr/lib/lethe) once installed.
     */
    /**
     * Which build this is, as precisely as a config's cache needs it (another build may parse the
     * same file differently): the jar's path, size and modification time; for a development build's
     * classes directory, the time of the cache's own class file. Unknown, it matches no other run.
     */
    static String identity() {
        try {
            Path code = Path.of(Build.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path stamped = Files.isDirectory(code) ? code.resolve("dev/lethe/config/ConfigCache.class") : code;
            BasicFileAttributes attributes = Files.readAttributes(stamped, BasicFileAttributes.class);
            return stamped + " " + attributes.size() + " " + attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            return "unknown build, process " + ProcessHandle.current().pid() + " at " + System.nanoTime();
        }
    }

    static Path locate() {
        String home = System.getProperty("lethe.home");
        if (home == null) {
            throw new EnvironmentException("lethe.home is not set: run lethe through its launcher (./lethe or /usr/sbin/lethe)");
        }
        Path target = Path.of(home, "target");
        return Files.isRegularFile(target.resolve("lethe.jar")) ? target : Path.of(home);
    }
}
