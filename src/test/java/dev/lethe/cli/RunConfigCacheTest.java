package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.config.Config;
import dev.lethe.config.ConfigCache;
import dev.lethe.config.ConfigInputs;
import dev.lethe.config.ConfigLoader;
import dev.lethe.exec.RunConfigCache;
import dev.lethe.model.BuildIdentity;
import dev.lethe.testing.ChildRun;
import dev.lethe.testing.Machine;
import dev.lethe.testing.Machine.Disk;
import dev.lethe.testing.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/**
 * The hand-run commands' config cache in run/lethe, on real mounts (root, private mount namespace),
 * each command in a JVM of its own so that what it loaded can be listed: a second command takes the
 * config from the cache (no tomlj class loaded) and says what the first said; a changed config is
 * parsed again; a cache someone else could have written is never read; and nothing is written where
 * run is not a filesystem of its own.
 */
class RunConfigCacheTest {

    private static final String CONFIG = """
            [[store]]
            path = "/persist"
            directories = ["/var/log", { path = "/var/lib/app", mode = "0700" }]
            [store.users.alice]
            directories = ["Documents"]
            """;

    private static Machine withRun() throws Exception {
        Machine m = new Machine(Disk.TMPFS);
        m.config(CONFIG);
        Files.createDirectories(m.at("/run"));
        Sh.run("mount", "-t", "tmpfs", "run", m.at("/run").toString());
        return m;
    }

    private static ConfigCache.Key key(Machine m) throws Exception {
        return new ConfigCache.Key(BuildIdentity.of(ConfigCache.class), ConfigInputs.read(m.config, m.root));
    }

    @Test
    void theNextCommandTakesTheConfigFromRunAndLoadsNoTomlj() throws Exception {
        try (Machine m = withRun()) {
            ChildRun first = ChildRun.of(m, "plan");
            assertThat(first.exit()).as(first.err()).isZero();
            assertThat(first.loaded("org.tomlj.")).as("no cache yet: the TOML is parsed").isTrue();
            Path cache = m.at("/" + RunConfigCache.PATH);
            assertThat(cache).isRegularFile();
            assertThat(Files.getAttribute(cache, "unix:uid")).isEqualTo(0);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rw-r--r--");
            assertThat(ConfigCache.decode(Files.readAllBytes(cache)).orElseThrow().config())
                    .isEqualTo(ConfigLoader.load(m.config, m.root));

            ChildRun second = ChildRun.of(m, "plan");
            assertThat(second.exit()).as(second.err()).isZero();
            assertThat(second.loaded("org.tomlj.")).as("the config from the cache").isFalse();
            assertThat(second.out()).isEqualTo(first.out());

            m.config(CONFIG.replace("\"/var/log\"", "\"/var/log\", \"/srv/new\""));
            ChildRun changed = ChildRun.of(m, "plan");
            assertThat(changed.loaded("org.tomlj.")).as("other bytes: parsed again").isTrue();
            assertThat(changed.out()).contains("/srv/new");
            assertThat(ConfigCache.decode(Files.readAllBytes(cache)).orElseThrow().key()).isEqualTo(key(m));
        }
    }

    /** A cache for the right key that says something else is obeyed only when root alone could have written it. */
    @Test
    void aCacheOthersCouldWriteIsNeverRead() throws Exception {
        try (Machine m = withRun()) {
            Config parsed = ConfigLoader.load(m.config, m.root);
            Config planted = ConfigLoader.parse(CONFIG.replace("\"/var/log\"", "\"/var/log\", \"/srv/planted\""),
                    m.config.toString(), key(m).inputs().accounts());
            Path cache = m.at("/" + RunConfigCache.PATH);
            Files.createDirectories(cache.getParent());
            Files.write(cache, ConfigCache.encode(key(m), planted));
            Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rw-r--r--"));
            assertThat(ChildRun.of(m, "plan").out()).as("root's cache for these bytes is believed").contains("/srv/planted");

            Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rw-rw-rw-"));
            ChildRun run = ChildRun.of(m, "plan");
            assertThat(run.loaded("org.tomlj.")).isTrue();
            assertThat(run.out()).doesNotContain("/srv/planted");
            assertThat(ConfigCache.decode(Files.readAllBytes(cache)).orElseThrow().config())
                    .as("replaced by the parsed config").isEqualTo(parsed);
        }
    }

    @Test
    void nothingIsWrittenWhereRunIsNotAFilesystemOfItsOwn() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            Files.createDirectories(m.at("/run"));
            ChildRun run = ChildRun.of(m, "plan");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(m.at("/run/lethe")).doesNotExist();
        }
    }
}
