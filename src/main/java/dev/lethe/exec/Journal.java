package dev.lethe.exec;

import dev.lethe.linux.Fs;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The record that a migration's copy into the store is complete and verified, kept in the store
 * at {@code .lethe/migrations/}. While a record exists the original may be half removed, so a
 * re-run must finish the migration instead of seeing "data on both sides". The record is written
 * (and fsynced) before the original is touched, and removed only when the original is empty.
 */
final class Journal {
    private Journal() {}

    static AbsolutePath directory(AbsolutePath store) {
        return store.resolve(".lethe/migrations");
    }

    private static AbsolutePath recordFor(AbsolutePath store, AbsolutePath target) {
        String name = Base64.getUrlEncoder().withoutPadding().encodeToString(Syscalls.bytes(target.value()));
        return directory(store).resolve(name);
    }

    static void begin(Fs fs, AbsolutePath store, AbsolutePath target) throws IOException {
        AbsolutePath lethe = store.resolve(".lethe");
        for (AbsolutePath dir : List.of(lethe, directory(store))) {
            if (fs.stat(dir).isEmpty()) {
                fs.makeDirectory(dir, 0, 0, 0700);
                fs.syncDirectory(dir.parent());
            }
        }
        fs.writeFileAtomically(recordFor(store, target), Syscalls.bytes(target.value() + "\n"), 0600);
    }

    static void finish(Fs fs, AbsolutePath store, AbsolutePath target) throws IOException {
        fs.removeFileIfPresent(recordFor(store, target));
        fs.syncDirectory(directory(store));
    }

    static List<AbsolutePath> pendingTargets(Fs fs, AbsolutePath store) throws IOException {
        AbsolutePath dir = directory(store);
        if (fs.stat(dir).isEmpty()) {
            return List.of();
        }
        List<AbsolutePath> targets = new ArrayList<>();
        for (Syscalls.DirEntry entry : fs.list(dir)) {
            if (entry.text().startsWith(".")) {
                continue;
            }
            String content = new String(fs.readFile(dir.resolve(entry.text())), StandardCharsets.UTF_8).strip();
            if (AbsolutePath.problemWith(content) == null) {
                targets.add(AbsolutePath.of(content));
            }
        }
        return targets;
    }
}
