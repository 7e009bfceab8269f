package dev.lethe.exec;

import dev.lethe.config.Config;
import dev.lethe.config.ConfigCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The commands run by hand keep the config they parsed in {@code /run/lethe/config-cache} (under
 * {@code --root}), a {@link ConfigCache} valid for exactly the bytes it was made from: the next
 * command (status, plan, diff...) reads it instead of parsing the TOML, tens of milliseconds of
 * every hand-run command's start. Written only where {@code run} is a filesystem of its own (the
 * running system's tmpfs, so the cache goes at the next boot, and nothing is left in a root mounted
 * for repair); read only if root owns it and no one else may write it (see
 * {@link ConfigCache#read}). Through java.nio, as the stores' cache is not: /run is the running
 * system's root-only tmpfs, where no user can plant a link. The boot's cache in the stores is
 * {@link StoredConfigCache}.
 */
public final class RunConfigCache {
    private RunConfigCache() {}

    /** Relative to the root. */
    public static final String PATH = "run/lethe/" + ConfigCache.FILE_NAME;

    public static Optional<Config> read(Path root, ConfigCache.Key key) {
        return ConfigCache.read(root.resolve(PATH), key);
    }

    /** Leaves the cache of {@code config} for the next command; a cache is only a shortcut, so any failure is ignored. */
    public static void write(Path root, ConfigCache.Key key, Config config) {
        Path run = root.resolve("run");
        try {
            // Written by whoever may write there (root, on a running system); read only if root's.
            if (!ownFilesystem(root, run)) {
                return;
            }
            Path directory = Files.createDirectories(run.resolve("lethe"));
            Path file = root.resolve(PATH);
            Path temporary = directory.resolve("." + ConfigCache.FILE_NAME + "." + ProcessHandle.current().pid());
            try {
                Files.write(temporary, ConfigCache.encode(key, config));
                // Readable by all, as the config file is; writable by root alone, or it is never read.
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException | RuntimeException e) {
            // no cache: the next command parses the config, as without one
        }
    }

    /** True if {@code run} is a directory on another filesystem than the root's (a mount of its own). */
    private static boolean ownFilesystem(Path root, Path run) throws IOException {
        return Files.isDirectory(run, LinkOption.NOFOLLOW_LINKS)
                && !Files.getAttribute(run, "unix:dev", LinkOption.NOFOLLOW_LINKS)
                        .equals(Files.getAttribute(root, "unix:dev", LinkOption.NOFOLLOW_LINKS));
    }
}
