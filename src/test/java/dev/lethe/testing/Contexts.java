package dev.lethe.testing;

import dev.lethe.linux.CrashPoints;
import dev.lethe.linux.ffm.FfmSyscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.root.ProcessTools;
import dev.lethe.root.RootContext;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** Root contexts on the real machine, as the composition root builds them. */
public final class Contexts {
    private Contexts() {}

    /** The real port (with crash points where LETHE_TEST_CRASH_AT or an injected fault asks), tools and clock. */
    public static RootContext of(Path root, List<AbsolutePath> stores, Path scratch) {
        return new RootContext(root, stores, scratch, CrashPoints.wrap(new FfmSyscalls()), ProcessTools.INSTANCE,
                Clock.systemDefaultZone());
    }
}
