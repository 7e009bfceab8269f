package dev.lethe.exec;

import dev.lethe.linux.Fs;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The mark a boot leaves on its root when activation finished: {@code /var/lib/lethe/activated}.
 * A fresh root comes from the blank state without it, so at the next wipe its absence means that
 * boot ran with a missing store or a failed mount, and wrote whatever it wrote onto the root: that
 * root is archived as degraded and kept until the user prunes it by id (safety invariant 5).
 */
public final class Activation {
    private Activation() {}

    public static final AbsolutePath MARK = AbsolutePath.of("/var/lib/lethe/activated");

    /** Writes the mark (boot id and time) on the managed root after a fully successful apply. */
    public static void mark(Fs fs, String bootId) throws IOException {
        for (AbsolutePath dir : MARK.ancestors()) {
            fs.makeDirectory(dir, 0, 0, 0755);
        }
        fs.writeFileAtomically(MARK, Syscalls.bytes(bootId + " " + java.time.Instant.now() + "\n"), 0644);
    }

    /** Whether the root at {@code hostRoot} carries the mark, i.e. its boot finished activation. */
    public static boolean marked(Path hostRoot) {
        return Files.isRegularFile(hostRoot.resolve(MARK.value().substring(1)));
    }
}
