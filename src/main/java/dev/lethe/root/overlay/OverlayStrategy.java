package dev.lethe.root.overlay;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.config.RootConfig;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy;
import java.io.IOException;
import java.util.List;

/** Placeholder while the overlay strategy is being written: every operation refuses. */
public final class OverlayStrategy implements RootStrategy {
    public OverlayStrategy(RootConfig config, RootContext context) {}

    private static RootException notYet() {
        return new RootException("the overlay strategy is not available in this build yet");
    }

    @Override public String name() { return "overlay"; }
    @Override public void check() throws IOException { throw notYet(); }
    @Override public List<String> planWipe(WipeRequest request) throws IOException { throw notYet(); }
    @Override public WipeResult wipe(WipeRequest request) throws IOException { throw notYet(); }
    @Override public List<ArchiveRef> archives() throws IOException { throw notYet(); }
    @Override public long sizeOf(ArchiveRef archive) throws IOException { throw notYet(); }
    @Override public <T> T read(ArchiveRef archive, ArchiveReader<T> reader) throws IOException { throw notYet(); }
    @Override public void destroy(ArchiveRef archive) throws IOException { throw notYet(); }
}
