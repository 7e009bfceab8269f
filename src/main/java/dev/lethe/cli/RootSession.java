package dev.lethe.cli;

import dev.lethe.config.Config;
import dev.lethe.config.StoreConfig;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootStrategy;
import dev.lethe.root.Strategies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The root strategy the config names, with a scratch directory for its temporary mount points. */
final class RootSession implements AutoCloseable {
    final Config config;
    final RootStrategy strategy;
    final Path root;
    private final Path scratch;

    private RootSession(Config config, RootStrategy strategy, Path root, Path scratch) {
        this.config = config;
        this.strategy = strategy;
        this.root = root;
        this.scratch = scratch;
    }

    static RootSession open(CommonOptions options) throws Exception {
        Config config = Session.loadConfig(options);
        Path root = options.root.toAbsolutePath().normalize();
        Path scratch = Files.createTempDirectory("lethe-root");
        RootContext context = new RootContext(root, config.stores().stream().map(StoreConfig::path).toList(), scratch);
        return new RootSession(config, Strategies.of(config.root(), context), root, scratch);
    }

    /** Removes the scratch directory; only empty directories, never across a mount still there. */
    @Override
    public void close() throws IOException {
        try (Stream<Path> paths = Files.walk(scratch)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // A strategy that failed to unmount leaves a mount point: better kept than forced.
        }
    }
}
