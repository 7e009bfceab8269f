package dev.lethe.exec;

import dev.lethe.linux.Fs;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.LetheFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The mark a boot leaves on its root when activation finished: {@code /.lethe-activated}, at the
 * top of the root, where no entry can be (entries at "/" are refused), so it is never persisted.
 * A fresh root comes from the blank state without it, so at the next wipe its absence means that
 * boot ran with a missing store or a failed mount, and wrote whatever it wrote onto the root: that
 * root is archived as degraded and kept until the user prunes it by id (safety invariant 5).
 */
public final class Activation {
    private Activation() {}

    public static final AbsolutePath MARK = LetheFiles.ACTIVATION_MARK;

    /** Writes the mark (boot id and time) on the managed root after a fully successful apply. */
    public static void mark(Fs fs, String bootId, Clock clock) throws IOException {
        fs.writeFileAtomically(MARK, Syscalls.bytes(bootId + " " + clock.instant() + "\n"), 0644);
    }

    /**
     * Removes a mark an earlier boot left (a root that was not wiped keeps it): this boot's root
     * carries a mark only if this boot's activation succeeds.
     */
    public static void clear(Fs fs) throws IOException {
        fs.removeFileIfPresent(MARK);
    }

    /** Whether the root at {@code hostRoot} carries the mark, i.e. its boot finished activation. */
    public static boolean marked(Path hostRoot) {
        return Files.isRegularFile(hostRoot.resolve(MARK.value().substring(1)), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }
}
