package dev.lethe.root.overlay;

import dev.lethe.config.RootConfig;
import dev.lethe.model.AbsolutePath;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootException;
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
