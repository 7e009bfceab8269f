package dev.lethe.root.btrfs;

import dev.lethe.linux.CrashPoints;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * lethe's proof of ownership: the file {@code lethe-archives/.lethe-registry} on the top level,
 * one line per archive lethe made, naming the archive's subvolume UUID and ID as {@code btrfs
 * subvolume show} reported them. lethe deletes a subvolume only when it is listed here and still
 * has that UUID and ID; a name alone proves nothing.
 *
 * <p>Lines are appended (and fsynced) before the rename that makes the archive, so a crash never
 * leaves an archive the registry does not know. Removal rewrites the file atomically. Lines that
 * do not parse (a torn write) are kept as they are and otherwise ignored.
 *
 * @param lines every line of the file, as read
 */
record Registry(List<String> lines) {

    static final String FILE = ".lethe-registry";

    private static final String HEADER = """
            # lethe btrfs archive registry, format 1. One archive per line, tab-separated key=value:
            # name (under lethe-archives), subvolume (the root it was), uuid and id (the subvolume's,
            # the proof lethe made it), created (UTC), degraded. Edit only to forget an archive.
            """;

    Registry {
        lines = List.copyOf(lines);
    }

    /**
     * One archive.
     *
     * @param name      the subvolume's name under lethe-archives
     * @param subvolume the root subvolume it used to be ("@root"), so configs of two roots on one
     *                  device each see only their own archives
     */
    record Entry(String name, String subvolume, String uuid, long id, Instant created, boolean degraded) {
        Entry {
            for (String field : List.of(name, subvolume, uuid)) {
                if (field.isEmpty() || field.chars().anyMatch(c -> c == '\t' || c == '\n' || c == '\r')) {
                    throw new IllegalArgumentException("a registry field must be non-empty, without tabs or newlines: " + field);
                }
            }
            Objects.requireNonNull(created);
        }

        String line() {
            return "name=" + name + "\tsubvolume=" + subvolume + "\tuuid=" + uuid + "\tid=" + id
                    + "\tcreated=" + created + "\tdegraded=" + degraded;
        }

        static Optional<Entry> parse(String line) {
            if (line.startsWith("#") || line.isBlank()) {
                return Optional.empty();
            }
            Map<String, String> fields = new HashMap<>();
            for (String field : line.split("\t")) {
                int eq = field.indexOf('=');
                if (eq > 0) {
                    fields.put(field.substring(0, eq), field.substring(eq + 1));
                }
            }
            try {
                String degraded = fields.get("degraded");
                if (!"true".equals(degraded) && !"false".equals(degraded)) {
                    return Optional.empty();  // the last field missing or cut short: a torn line
                }
                return Optional.of(new Entry(fields.get("name"), fields.get("subvolume"), fields.get("uuid"),
                        Long.parseLong(fields.get("id")), Instant.parse(fields.get("created")),
                        Boolean.parseBoolean(degraded)));
            } catch (RuntimeException e) {  // NullPointer, NumberFormat, DateTimeParse, IllegalArgument
                return Optional.empty();
            }
        }
    }

    static Registry read(Path file) throws IOException {
        try {
            return new Registry(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return new Registry(List.of());
        }
    }

    List<Entry> entries() {
        return lines.stream().map(Entry::parse).flatMap(Optional::stream).toList();
    }

    /** The entry of an archive of {@code subvolume} named {@code name}, if any (the last, should there be two). */
    Optional<Entry> find(String name, String subvolume) {
        return entries().stream().filter(e -> e.name().equals(name) && e.subvolume().equals(subvolume))
                .reduce((a, b) -> b);
    }

    /** Appends one entry and makes it durable before returning. A crash point. */
    static void append(Path file, Entry entry) throws IOException {
        CrashPoints.beforeStep();
        boolean created = !Files.exists(file);
        StringBuilder text = new StringBuilder();
        if (created) {
            text.append(HEADER);
        } else if (Files.size(file) > 0 && lastByte(file) != '\n') {
            text.append('\n');  // end a torn last line, so it cannot swallow this one
        }
        text.append(entry.line()).append('\n');
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        if (created) {
            syncDirectory(file.getParent());
        }
    }

    /** Rewrites the file without the lines of {@code entry}, atomically (a new file renamed over it). A crash point. */
    static void remove(Path file, Entry entry) throws IOException {
        CrashPoints.beforeStep();
        List<String> kept = new ArrayList<>();
        for (String line : read(file).lines()) {
            if (!Entry.parse(line).equals(Optional.of(entry))) {
                kept.add(line);
            }
        }
        Path next = file.resolveSibling(FILE + ".new");
        try (FileChannel channel = FileChannel.open(next, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap((String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(file.getParent());
    }

    private static int lastByte(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, channel.size() - 1);
            return one.get(0);
        }
    }

    /** fsync of the directory: makes a new or renamed name in it durable. */
    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
