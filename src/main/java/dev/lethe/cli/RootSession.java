package dev.lethe.cli;

import dev.lethe.config.Config;
import dev.lethe.config.StoreConfig;
import dev.lethe.root.ProcessTools;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;

/** The root strategy the config names, with a scratch directory for its temporary mount points. */
final class RootSession implements AutoCloseable {
    final Config config;
    final RootStrategy strategy;
    final Path root;
    /** The syscall port, tools and clock the strategy was given: the command uses the same. */
    final RootContext context;
    private final Path scratch;

    private RootSession(Config config, RootStrategy strategy, RootContext context) {
        this.config = config;
        this.strategy = strategy;
        this.root = context.root();
        this.context = context;
        this.scratch = context.scratch();
    }

    /** The stores' paths, in the config's order. */
    java.util.List<dev.lethe.model.AbsolutePath> stores() {
        return config.stores().stream().map(StoreConfig::path).toList();
    }

    static RootSession open(CommonOptions options) throws Exception {
        return open(options, true);
    }

    /**
     * @param check run the strategy's full check of the machine first; a read-only command whose
     *              strategy validates what it reads (diff) skips it, as the check forks several tools
     */
    static RootSession open(CommonOptions options, boolean check) throws Exception {
        Config config = Session.loadConfig(options);
        Path root = options.root.toAbsolutePath().normalize();
        Path scratch = Files.createTempDirectory("lethe-root");
        RootContext context = new RootContext(root, config.stores().stream().map(StoreConfig::path).toList(), scratch,
                Wiring.syscalls(), ProcessTools.INSTANCE, Wiring.CLOCK);
        RootStrategy strategy = Strategies.of(config.root(), context);
        try {
            if (check) {
                strategy.check();
            }
        } catch (RootException refusal) {
            // The configuration does not match the machine: nothing was touched (exit 4).
            Files.deleteIfExists(scratch);
            throw new EnvironmentException(refusal.getMessage());
        }
        return new RootSession(config, strategy, context);
    }

    /** What a command does with the strategy the config names; its output is flushed after. */
    @FunctionalInterface
    interface Work {
        int run(RootSession session, PrintWriter out) throws Exception;
    }

    /** The root commands' preamble: load the config, make the strategy (checked), run, flush, clean up. */
    static int run(CommonOptions options, CommandSpec spec, Work work) throws Exception {
        return run(options, spec, true, work);
    }

    /** @param check as for {@link #open(CommonOptions, boolean)} */
    static int run(CommonOptions options, CommandSpec spec, boolean check, Work work) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (RootSession session = open(options, check)) {
            int code = work.run(session, out);
            out.flush();
            return code;
        }
    }

    /**
     * Removes the scratch directory and the mount points a strategy made in it, as empty
     * directories only (rmdir): if a strategy failed to unmount something, its files are never
     * touched and the mount point stays.
     */
    @Override
    public void close() throws IOException {
        removeEmptyScratch(scratch);
    }

    static void removeEmptyScratch(Path scratch) throws IOException {
        try (Stream<Path> children = Files.list(scratch)) {
            for (Path child : children.toList()) {
                removeIfEmptyDirectory(child);
            }
        }
        removeIfEmptyDirectory(scratch);
    }

    private static void removeIfEmptyDirectory(Path path) {
        try {
            if (Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(path);  // rmdir(2): fails on anything not empty, mounted or not
            }
        } catch (IOException e) {
            // Not empty, or still a mount point: kept, as it should be.
        }
    }
}
