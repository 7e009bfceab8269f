package dev.lethe.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * Which build of lethe is running, as precisely as a cache of parsed input needs it: another build
 * may parse the same bytes differently, so a cache written by one is not trusted by another.
 */
public final class BuildIdentity {
    private BuildIdentity() {}

    /**
     * The jar's path, size and modification time; in a development build (a classes directory),
     * those of {@code stamp}'s own class file, the class whose format the cache follows. Unknown,
     * it matches no other run.
     */
    public static String of(Class<?> stamp) {
        try {
            Path code = Path.of(stamp.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path stamped = Files.isDirectory(code) ? code.resolve(stamp.getName().replace('.', '/') + ".class") : code;
            BasicFileAttributes attributes = Files.readAttributes(stamped, BasicFileAttributes.class);
            return stamped + " " + attributes.size() + " " + attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            return "unknown build, process " + ProcessHandle.current().pid() + " at " + System.nanoTime();
        }
    }
}
