package dev.lethe.exec;

import dev.lethe.linux.Fs;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The record that a migration's copy into the store is complete and verified, kept in the store
 * at {@code .lethe/migrations/}, with the manifest of what the original held. While a record
 * exists the original may be half emptied, so a re-run must finish the migration instead of seeing
 * "data on both sides". The record is written (and fsynced) before the original is touched, and
 * removed only when the original holds nothing that was copied.
 */
final class Journal {
    private Journal() {}

    /** Version 2: the target percent-escaped, so any path fits on its line; the name a hash. */
    private static final String HEADER = "lethe-migration 2";
    /** Version 1 (until 2026-12): the target raw on its line, the name base64 of the path. Still read. */
    private static final String HEADER_V1 = "lethe-migration 1";

    /**
     * One interrupted migration, as recorded. {@code key} names both the record and the staging
     * copy: {@link #key} for the records written now, the base64 name for a version-1 record.
     */
    record Record(AbsolutePath store, AbsolutePath target, Kind kind, Manifest manifest, String key) {
        Record(AbsolutePath store, AbsolutePath target, Kind kind, Manifest manifest) {
            this(store, target, kind, manifest, Journal.key(target));
        }

        AbsolutePath source() {
            return target.under(store);
        }

        AbsolutePath staging() {
            return letheDirectory(store).resolve("staging").resolve(key);
        }

        AbsolutePath file() {
            return directory(store).resolve(key);
        }
    }

    /** A file in the journal directory that is not a record lethe can read: reported, never guessed at. */
    record Unreadable(AbsolutePath file, String reason) {}

    /** What a store's journal holds: the records, and what could not be read (each on its own). */
    record Scan(List<Record> records, List<Unreadable> unreadable) {
        Scan {
            records = List.copyOf(records);
            unreadable = List.copyOf(unreadable);
        }
    }

    /** {@code <store>/.lethe}: lethe's own directory in a store, root only. */
    static AbsolutePath letheDirectory(AbsolutePath store) {
        return store.resolve(".lethe");
    }

    static AbsolutePath directory(AbsolutePath store) {
        return letheDirectory(store).resolve("migrations");
    }

    /**
     * A name for {@code target} that is one path component of fixed length, whatever the path's
     * length (a name is at most 255 bytes; a path may be 4095): the SHA-256 of its path, in hex.
     */
    static String key(AbsolutePath target) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Syscalls.bytes(target.value())));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The name version 1 used (base64 of the path), if it fits in a name: its staging copy may be left. */
    static Optional<String> legacyKey(AbsolutePath target) {
        String key = Base64.getUrlEncoder().withoutPadding().encodeToString(Syscalls.bytes(target.value()));
        return key.length() <= 255 ? Optional.of(key) : Optional.empty();
    }

    /** Creates {@code <store>/.lethe/NAME} (and .lethe) as root-only directories if missing. */
    static AbsolutePath ensurePrivateDirectory(Fs fs, AbsolutePath store, String name) throws IOException {
        AbsolutePath dir = ensureLetheDirectory(fs, store).resolve(name);
        ensureRootOnly(fs, dir);
        return dir;
    }

    static AbsolutePath ensureLetheDirectory(Fs fs, AbsolutePath store) throws IOException {
        AbsolutePath lethe = letheDirectory(store);
        ensureRootOnly(fs, lethe);
        return lethe;
    }

    private static void ensureRootOnly(Fs fs, AbsolutePath dir) throws IOException {
        if (fs.stat(dir).isEmpty()) {
            fs.makeDirectory(dir, 0, 0, 0700);
            fs.syncDirectory(dir.parent());
        }
    }

    static void begin(Fs fs, Record record) throws IOException {
        ensurePrivateDirectory(fs, record.store(), "migrations");
        String text = HEADER + "\n" + "target " + escape(record.target().value()) + "\n" + "kind " + record.kind().word()
                + "\n" + record.manifest().serialize();
        fs.writeFileAtomically(record.file(), Syscalls.bytes(text), 0600);
    }

    /** True if the record of {@code record}'s migration is on disk. */
    static boolean exists(Fs fs, Record record) throws IOException {
        return fs.stat(record.file()).isPresent();
    }

    static void finish(Fs fs, Record record) throws IOException {
        fs.removeFileIfPresent(record.file());
        fs.syncDirectory(directory(record.store()));
    }

    /** The record of an interrupted migration of {@code target} into {@code store}. */
    static Record find(Fs fs, AbsolutePath store, AbsolutePath target) throws IOException {
        Scan scan = scan(fs, store);
        for (Record record : scan.records()) {
            if (record.target().equals(target)) {
                return record;
            }
        }
        throw new IOException("no readable record of an interrupted migration of " + fs.hostPath(target) + " in "
                + fs.hostPath(directory(store)) + unreadableNote(fs, scan));
    }

    private static String unreadableNote(Fs fs, Scan scan) {
        return scan.unreadable().isEmpty() ? "" : " (" + scan.unreadable().size() + " unreadable there, first "
                + fs.hostPath(scan.unreadable().getFirst().file()) + ")";
    }

    /**
     * Every record in {@code store}'s journal. One record that cannot be read is reported in the
     * scan and does not hide the others: their migrations must still be finished.
     */
    static Scan scan(Fs fs, AbsolutePath store) throws IOException {
        AbsolutePath dir = directory(store);
        if (fs.stat(dir).isEmpty()) {
            return new Scan(List.of(), List.of());
        }
        List<Record> records = new ArrayList<>();
        List<Unreadable> unreadable = new ArrayList<>();
        for (Syscalls.DirEntry entry : fs.list(dir)) {
            if (entry.text().startsWith(".")) {
                continue;  // a record being written (writeFileAtomically's temporary)
            }
            AbsolutePath file = dir.resolve(entry.text());
            try {
                records.add(parse(store, entry.text(), fs.readFile(file)));
            } catch (IOException | RuntimeException e) {
                unreadable.add(new Unreadable(file, e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        return new Scan(records, unreadable);
    }

    private static Record parse(AbsolutePath store, String name, byte[] content) throws IOException {
        List<String> lines = new String(content, StandardCharsets.UTF_8).lines().toList();
        if (lines.size() < 4 || !lines.get(1).startsWith("target ") || !lines.get(2).startsWith("kind ")) {
            throw new IOException("not a migration record (too short, or no target and kind lines)");
        }
        String target = lines.get(1).substring("target ".length());
        AbsolutePath path = switch (lines.get(0)) {
            case HEADER -> AbsolutePath.of(unescape(target));
            case HEADER_V1 -> AbsolutePath.of(target);
            default -> throw new IOException("unknown header \"" + lines.get(0) + "\"");
        };
        Kind kind = switch (lines.get(2)) {
            case "kind file" -> Kind.FILE;
            case "kind directory" -> Kind.DIRECTORY;
            default -> throw new IOException("unknown \"" + lines.get(2) + "\"");
        };
        return new Record(store, path, kind, Manifest.parse(lines.subList(3, lines.size())), name);
    }

    /** Percent-escapes '%', controls (newline, CR), space and DEL, so a path is one line and reads back exactly. */
    static String escape(String path) {
        StringBuilder out = new StringBuilder();
        for (byte b : Syscalls.bytes(path)) {
            int c = b & 0xff;
            if (c <= 0x20 || c == 0x7f || c == '%') {
                out.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
            } else {
                out.append((char) c);  // other bytes pass as they are; rebuilt into UTF-8 below
            }
        }
        return new String(out.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    static String unescape(String escaped) throws IOException {
        byte[] in = escaped.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < in.length; i++) {
            if (in[i] != '%') {
                out.write(in[i]);
                continue;
            }
            if (i + 2 >= in.length) {
                throw new IOException("a '%' escape is cut short in the target");
            }
            out.write(HexFormat.fromHexDigits(new String(in, i + 1, 2, StandardCharsets.US_ASCII)));
            i += 2;
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
