package dev.lethe.cli;

import dev.lethe.config.Config;
import dev.lethe.config.ConfigCache;
import dev.lethe.config.ConfigException;
import dev.lethe.config.ConfigLoader;
import dev.lethe.config.StoreConfig;
import dev.lethe.exec.LiveObservation;
import dev.lethe.exec.RunConfigCache;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Fs;
import dev.lethe.model.AbsolutePath;
import dev.lethe.plan.Plan;
import dev.lethe.plan.Planner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;

/** What most commands share: the config, the managed root, the live observation and the plan. */
final class Session implements AutoCloseable {

    final Config config;
    final Fs fs;
    final String rootDirectory;

    private Session(Config config, Fs fs, String rootDirectory) {
        this.config = config;
        this.fs = fs;
        this.rootDirectory = rootDirectory;
    }

    List<AbsolutePath> stores() {
        return config.stores().stream().map(StoreConfig::path).toList();
    }

    /** The machine as it is now: a new observation each call, with the mount table read afresh. */
    LiveObservation observe() throws IOException {
        return new LiveObservation(fs, stores());
    }

    Planner.Scope scope() {
        Set<AbsolutePath> targets = new HashSet<>();
        config.entries().forEach(e -> targets.add(e.target()));
        Set<AbsolutePath> onRoot = new HashSet<>();
        config.stores().stream().filter(StoreConfig::onRoot).forEach(s -> onRoot.add(s.path()));
        return new Planner.Scope(targets, onRoot);
    }

    static Config loadConfig(CommonOptions options) throws ConfigException {
        return loadConfig(options.configFile(), checkedRoot(options.root));
    }

    /**
     * The config, from the cache the last command left in run/lethe when it was made from these very
     * bytes (config file, etc/passwd, etc/group), else parsed, and the cache left for the next one
     * ({@link RunConfigCache}).
     */
    static Config loadConfig(Path configFile, Path checkedRoot) throws ConfigException {
        ConfigCache.Key key = ConfigCache.Key.of(configFile, checkedRoot);
        Optional<Config> cached = RunConfigCache.read(checkedRoot, key);
        if (cached.isPresent()) {
            return cached.get();
        }
        Config config = ConfigLoader.parse(key.inputs());
        RunConfigCache.write(checkedRoot, key, config);
        return config;
    }

    static Session open(CommonOptions options) throws ConfigException, IOException {
        return open(options.root, options.configFile());
    }

    static Session open(Path rootDirectory, Path configFile) throws ConfigException, IOException {
        Path checked = checkedRoot(rootDirectory);
        return open(checked, loadConfig(configFile, checked));
    }

    /** A session on the root at {@code checked} (see {@link #checkedRoot}) with a config already loaded. */
    static Session open(Path checked, Config config) throws IOException {
        String root = checked.toString();
        Fs fs;
        try {
            fs = Fs.open(Wiring.syscalls(), root);
        } catch (ErrnoException e) {
            throw new EnvironmentException("cannot open the root " + root + ": " + e.getMessage());
        }
        return new Session(config, fs, root);
    }

    Plan plan() throws IOException {
        return Planner.plan(config.entries(), scope(), observe());
    }

    static Path checkedRoot(Path rootDirectory) {
        Path root = rootDirectory.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new EnvironmentException("the root " + root + " is not a directory");
        }
        return root;
    }

    /** What a command does with an open session; its output is flushed after. */
    @FunctionalInterface
    interface Work {
        int run(Session session, PrintWriter out) throws Exception;
    }

    /**
     * The preamble every reading command shares: load the config, open the root, run, flush the
     * output, close. Returns the work's exit code.
     */
    static int run(CommonOptions options, CommandSpec spec, Work work) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Session session = open(options)) {
            int code = work.run(session, out);
            out.flush();
            return code;
        }
    }

    static void requireRoot(String what) {
        if (effectiveUid() != 0) {
            throw new EnvironmentException(what + " needs root: it mounts and changes owners. Run it with sudo.");
        }
    }

    /** The effective uid, from /proc/self/status (no native call needed). */
    static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.split("\\s+")[2]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Fall through: unknown means "not known to be root".
        }
        return -1;
    }

    @Override
    public void close() {
        fs.close();
    }
}
