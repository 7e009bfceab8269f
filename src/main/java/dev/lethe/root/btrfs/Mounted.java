package dev.lethe.root.btrfs;

import dev.lethe.root.RootException;
import dev.lethe.root.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A subvolume of the device mounted on a fresh directory under the scratch, for the length of one
 * operation: the top level (ID 5), where subvolumes are renamed, snapshotted and deleted, or an
 * archive opened read-only. {@link #close} unmounts it, so every use is a try-with-resources.
 */
final class Mounted implements AutoCloseable {

    /** Whether the operation may change the filesystem; a named value, not a boolean. */
    enum Access {
        READ_ONLY("ro"),
        READ_WRITE("rw");

        final String option;

        Access(String option) {
            this.option = option;
        }
    }

    static final long TOP_LEVEL = 5;

    final Path path;
    private final Tools tools;

    private Mounted(Path path, Tools tools) {
        this.path = path;
        this.tools = tools;
    }

    /**
     * Mounts subvolume {@code id} of {@code device}. noatime: reading the registry or an archive must
     * not write to the filesystem.
     */
    static Mounted subvolume(Tools tools, String device, long id, Access access, Path scratch) throws IOException {
        Path directory = Files.createTempDirectory(scratch, id == TOP_LEVEL ? "btrfs-top-" : "btrfs-archive-");
        try {
            tools.run("mount", "-t", "btrfs", "-o", access.option + ",noatime,subvolid=" + id, device,
                    directory.toString());
        } catch (RootException e) {
            Files.deleteIfExists(directory);
            throw e;
        }
        return new Mounted(directory, tools);
    }

    Path resolve(String relative) {
        return path.resolve(relative);
    }

    @Override
    public void close() throws IOException {
        tools.run("umount", path.toString());
        Files.deleteIfExists(path);
    }
}
