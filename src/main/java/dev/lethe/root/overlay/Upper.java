package dev.lethe.root.overlay;

import dev.lethe.config.RootConfig;
import dev.lethe.model.AbsolutePath;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootException;
import java.nio.file.Path;

/** The configured upper directory: where it is on the host, and how messages name what is under it. */
record Upper(RootConfig config, RootContext context) {

    /** The upper directory as the config writes it ("/overlay"). */
    AbsolutePath configured() throws RootException {
        return config.upper().orElseThrow(() -> refuse("[root] strategy = \"overlay\" needs upper = \"/...\", a "
                + "directory on a persistent filesystem that holds the upper directories"));
    }

    /** Its host path ("/sysroot/overlay"). */
    Path host() throws RootException {
        return context.root().resolve(configured().relativeTo(AbsolutePath.ROOT));
    }

    /** The host path of something under upper, for messages. */
    String show(String... names) {
        try {
            Path path = host();
            for (String name : names) {
                path = path.resolve(name);
            }
            return path.toString();
        } catch (RootException e) {
            return String.join("/", names);
        }
    }

    /** A refusal of the configuration, naming the config line. */
    RootException refuse(String problem) {
        return new RootException(config.origin() + ": " + problem);
    }
}
