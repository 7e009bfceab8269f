package dev.lethe.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/** A config file read as text and replaced whole: a reader sees the old file or the new one, never half of either. */
public final class ConfigFile {

    private ConfigFile() {}

    public static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /**
     * Replaces {@code file} (the file a symbolic link points to, so the link stays) with {@code text}:
     * a temporary file beside it, written and fsync'd, given the original's owner and mode, renamed
     * over it, and the directory fsync'd. Refuses when the file no longer holds {@code expected}
     * (someone edited it meanwhile: their change would be lost).
     */
    public static void replace(Path file, String expected, String text) throws IOException {
        Path real = file.toRealPath();
        Path directory = real.getParent();
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(real);
        Object uid = Files.getAttribute(real, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Object gid = Files.getAttribute(real, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        Path temporary = writeBeside(real, text);
        try {
            Files.setAttribute(temporary, "unix:uid", uid);
            Files.setAttribute(temporary, "unix:gid", gid);
            Files.setPosixFilePermissions(temporary, permissions);
            if (!read(real).equals(expected)) {
                throw new IOException(real + " changed while lethe was editing it; nothing was written: run the command again");
            }
            try {
                Files.move(temporary, real, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + real + " atomically: " + e.getMessage(), e);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
        // The rename is durable once the directory is.
        try (FileChannel directoryChannel = FileChannel.open(directory, StandardOpenOption.READ)) {
            directoryChannel.force(true);
        }
    }

    /** Writes a new config; refuses (FileAlreadyExistsException) if the file exists. */
    public static void create(Path file, String text) throws IOException {
        Path temporary = writeBeside(file.toAbsolutePath(), text);
        try {
            Files.setPosixFilePermissions(temporary, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            // A hard link fails if the name exists, where a rename would replace it.
            Files.createLink(file, temporary);
        } finally {
            Files.deleteIfExists(temporary);
        }
        try (FileChannel directoryChannel = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            directoryChannel.force(true);
        }
    }

    /** A temporary file in {@code file}'s directory holding {@code text}, on disk (fsync'd). */
    private static Path writeBeside(Path file, String text) throws IOException {
        Path temporary = Files.createTempFile(file.getParent(), "." + file.getFileName() + ".", ".lethe-new");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        return temporary;
    }
}
