package dev.lethe.root.overlay;

import dev.lethe.config.RootConfig;
import dev.lethe.model.AbsolutePath;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootException;
import dev.lethe.linux.MountInfo;
import dev.lethe.model.LetheFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** The configured upper directory: where it is on the host, and how messages name what is under it. */
record Upper(RootConfig.Overlay config, RootContext context) {

    /** The upper directory as the config writes it ("/overlay"); the config checked its characters when it was read. */
    AbsolutePath configured() {
        return config.upper();
    }

    /** Its host path ("/sysroot/overlay"). */
    Path host() {
        return context.root().resolve(configured().relativeTo(AbsolutePath.ROOT));
    }

    /**
     * The lower root as it is on disk. On a running overlay root the managed root is the merged view,
     * and the initrd stage leaves the real root mounted read-only at {@link LetheFiles#OVERLAY_LOWER}
     * under it; anywhere else (the real root mounted at --root, before the overlay) it is the managed
     * root itself.
     */
    Path lower() throws IOException {
        Path kept = context.root().resolve(LetheFiles.OVERLAY_LOWER.relativeTo(AbsolutePath.ROOT));
        if (Files.isDirectory(kept, LinkOption.NOFOLLOW_LINKS) && !MountInfo.read().at(kept.toString()).isEmpty()) {
            return kept;
        }
        return context.root();
    }

    /** The host path of something under upper, for messages. */
    String show(String... names) {
        Path path = host();
        for (String name : names) {
            path = path.resolve(name);
        }
        return path.toString();
    }

    /** A refusal of the configuration, naming the config line. */
    RootException refuse(String problem) {
        return new RootException(config.origin() + ": " + problem);
    }
}
