package dev.lethe.exec;

import dev.lethe.linux.Fs;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The record that a migration's copy into the store is complete and verified, kept in the store
 * at {@code .lethe/migrations/}, with the manifest of what the original held. While a record
 * exists the original may be half emptied, so a re-run must finish the migration instead of seeing
 * "data on both sides". The record is written (and fsynced) before the original is touched, and
 * removed only when the original holds nothing that was copied.
 */
final class Journal {
    private Journal() {}

    private static final String HEADER = "lethe-migration 1";

    /** One interrupted migration, as recorded. */
    record Record(AbsolutePath store, AbsolutePath target, Kind kind, Manifest manifest) {
        AbsolutePath source() {
            return target.under(store);
        }
    }

    /** {@code <store>/.lethe}: lethe's own directory in a store, root only. */
    static AbsolutePath letheDirectory(AbsolutePath store) {
        return store.resolve(".lethe");
    }

    static AbsolutePath directory(AbsolutePath store) {
        return letheDirectory(store).resolve("migrations");
    }

    /** A name for {@code target} that is one path component: its path, base64. */
    static String key(AbsolutePath target) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Syscalls.bytes(target.value()));
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
        AbsolutePath dir = ensurePrivateDirectory(fs, record.store(), "migrations");
        String text = HEADER + "\n" + "target " + record.target().value() + "\n" + "kind " + record.kind().word() + "\n"
                + record.manifest().serialize();
        fs.writeFileAtomically(dir.resolve(key(record.target())), Syscalls.bytes(text), 0600);
    }

    /** True if the record of {@code record}'s migration is on disk. */
    static boolean exists(Fs fs, Record record) throws IOException {
        return fs.stat(directory(record.store()).resolve(key(record.target()))).isPresent();
    }

    static void finish(Fs fs, Record record) throws IOException {
        fs.removeFileIfPresent(directory(record.store()).resolve(key(record.target())));
        fs.syncDirectory(directory(record.store()));
    }

    /** The record of an interrupted migration of {@code target} into {@code store}. */
    static Record find(Fs fs, AbsolutePath store, AbsolutePath target) throws IOException {
        for (Record record : pending(fs, store)) {
            if (record.target().equals(target)) {
                return record;
            }
        }
        throw new IOException("no record of an interrupted migration of " + fs.hostPath(target) + " in "
                + fs.hostPath(directory(store)));
    }

    static List<Record> pending(Fs fs, AbsolutePath store) throws IOException {
        AbsolutePath dir = directory(store);
        if (fs.stat(dir).isEmpty()) {
            return List.of();
        }
        List<Record> records = new ArrayList<>();
        for (Syscalls.DirEntry entry : fs.list(dir)) {
            if (entry.text().startsWith(".")) {
                continue;
            }
            AbsolutePath file = dir.resolve(entry.text());
            List<String> lines = new String(fs.readFile(file), StandardCharsets.UTF_8).lines().toList();
            if (lines.size() < 3 || !lines.get(0).equals(HEADER) || !lines.get(1).startsWith("target ")
                    || !lines.get(2).startsWith("kind ")) {
                throw new IOException(fs.hostPath(file) + " is not a migration record lethe can read; "
                        + "move it aside only after checking that the migration it describes is complete");
            }
            AbsolutePath target = AbsolutePath.of(lines.get(1).substring("target ".length()));
            Kind kind = lines.get(2).equals("kind file") ? Kind.FILE : Kind.DIRECTORY;
            records.add(new Record(store, target, kind, Manifest.parse(lines.subList(3, lines.size()))));
        }
        return records;
    }
}
