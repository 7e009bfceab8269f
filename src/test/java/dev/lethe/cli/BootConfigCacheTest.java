package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.boot.Units;
import dev.lethe.config.ConfigCache;
import dev.lethe.config.ConfigLoader;
import dev.lethe.testing.ChildRun;
import dev.lethe.testing.Machine.Disk;
import dev.lethe.testing.Machine;
import dev.lethe.testing.Sh;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The boot's config cache on real mounts (root, private mount namespace): the unit's
 * {@code apply --boot system --cache-in /persist}, run as its own JVM so that the classes it loads
 * can be listed. A hit loads no tomlj class; a stale, damaged or foreign cache, an invalid config and
 * a missing store all behave exactly as a boot that parses the file.
 */
class BootConfigCacheTest {

    private static final String CONFIG = """
            [[store]]
            path = "/persist"
            directories = ["/var/log", { path = "/var/lib/app", mode = "0700" }]
            files = [{ path = "/etc/machine-id" }]
            [store.users.alice]
            directories = ["Documents"]
            """;

    private static final List<String> MOUNTED = List.of("/persist", "/var/lib/app", "/var/log", "/home/alice/Documents");

    /** One boot run as the unit runs it, in a JVM of its own; whether it loaded any tomlj class. */
    private record Boot(int exit, String out, String err, boolean loadedTomlj) {}

    private static Boot boot(Machine m, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("apply", "--boot", "system"));
        args.addAll(List.of(extra));
        ChildRun run = ChildRun.of(m, args.toArray(String[]::new));
        assertThat(run.classes()).as("the class log lists lethe's classes").contains("dev.lethe.cli.Apply ");
        return new Boot(run.exit(), run.out(), run.err(), run.loaded("org.tomlj."));
    }

    private static Boot bootWithCache(Machine m) throws Exception {
        return boot(m, "--cache-in", "/persist");
    }

    private static Path cacheFile(Machine m) {
        return m.disk.resolve(".lethe/config-cache");
    }

    private static Machine bootedOnce() throws Exception {
        Machine m = new Machine(Disk.TMPFS);
        m.config(CONFIG);
        m.write("/etc/machine-id", "0123\n");
        Boot first = bootWithCache(m);
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.loadedTomlj()).as("a boot with no cache yet parses the TOML").isTrue();
        return m;
    }

    @Test
    void theNextBootTakesTheConfigFromTheStoreAndLoadsNoTomlj() throws Exception {
        try (Machine m = bootedOnce()) {
            Path cache = cacheFile(m);
            assertThat(cache).isRegularFile();
            assertThat(Files.getAttribute(cache, "unix:uid")).isEqualTo(0);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rw-------");
            assertThat(ConfigCache.decode(Files.readAllBytes(cache)).orElseThrow().config())
                    .isEqualTo(ConfigLoader.load(m.config, m.root));
            byte[] written = Files.readAllBytes(cache);
            m.reboot();

            Boot hit = bootWithCache(m);

            assertThat(hit.exit()).as(hit.err()).isZero();
            assertThat(hit.loadedTomlj()).as("tomlj loaded on a cache hit").isFalse();
            assertThat(m.mountsBelowRoot()).containsAll(MOUNTED);
            assertThat(m.read("/etc/machine-id")).isEqualTo("0123\n");
            assertThat(Files.readAllBytes(cache)).as("a hit writes nothing").isEqualTo(written);
            // The same boot without the unit's option parses, and does the same.
            m.reboot();
            Boot parsed = boot(m);
            assertThat(parsed.loadedTomlj()).isTrue();
            assertThat(parsed.exit()).isZero();
            assertThat(withoutTimes(parsed.out())).isEqualTo(withoutTimes(hit.out()));
        }
    }

    @Test
    void aChangedPasswdGroupOrConfigIsAMissAndTheBootRewritesTheCache() throws Exception {
        try (Machine m = bootedOnce()) {
            List<Runnable> changes = List.of(
                    () -> append(m.at("/etc/passwd"), "eve:x:1004:1004::/home/eve:/bin/sh\n"),
                    () -> append(m.at("/etc/group"), "eve:x:1004:\n"),
                    () -> append(m.config, "# edited\n"));
            for (Runnable change : changes) {
                byte[] before = Files.readAllBytes(cacheFile(m));
                change.run();
                Boot miss = bootWithCache(m);
                assertThat(miss.exit()).as(miss.err()).isZero();
                assertThat(miss.loadedTomlj()).as("a stale cache is not used").isTrue();
                assertThat(Files.readAllBytes(cacheFile(m))).as("rewritten for the new bytes").isNotEqualTo(before);
                Boot hit = bootWithCache(m);
                assertThat(hit.loadedTomlj()).as("the rewritten cache is used").isFalse();
                assertThat(hit.exit()).isZero();
            }
        }
    }

    @Test
    void aDamagedTruncatedOrForeignOwnedCacheIsIgnoredAndReplaced() throws Exception {
        try (Machine m = bootedOnce()) {
            Path cache = cacheFile(m);
            byte[] good = Files.readAllBytes(cache);
            byte[] flipped = good.clone();
            flipped[good.length / 2] ^= 0x10;
            List<Runnable> damages = List.of(
                    () -> write(cache, flipped),
                    () -> write(cache, java.util.Arrays.copyOf(good, good.length - 1)),
                    () -> write(cache, new byte[0]),
                    () -> Sh.run("chown", "1000", cache.toString()),
                    () -> Sh.run("chmod", "0622", cache.toString()));
            for (Runnable damage : damages) {
                damage.run();
                m.reboot();
                Boot miss = bootWithCache(m);
                assertThat(miss.exit()).as(miss.err()).isZero();
                assertThat(miss.loadedTomlj()).isTrue();
                assertThat(m.mountsBelowRoot()).containsAll(MOUNTED);
                assertThat(Files.readAllBytes(cache)).as("replaced by a whole cache").isEqualTo(good);
                assertThat(Files.getAttribute(cache, "unix:uid")).isEqualTo(0);
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void anInvalidConfigFailsExactlyAsWithoutACache() throws Exception {
        try (Machine m = bootedOnce()) {
            m.reboot();
            m.config(CONFIG.replace("mode = \"0700\"", "mode = \"0800\""));
            Boot withCache = bootWithCache(m);
            Boot without = boot(m);
            assertThat(withCache.exit()).isEqualTo(ExitCode.CONFIG).isEqualTo(without.exit());
            assertThat(withCache.err()).contains(":3: /var/lib/app: ").isEqualTo(without.err());
            assertThat(m.mountsBelowRoot()).containsExactly("/persist");
        }
    }

    @Test
    void aStoreMissingAtBootBehavesAsWithoutACache() throws Exception {
        try (Machine m = bootedOnce()) {
            m.reboot();
            Sh.run("umount", m.at("/persist").toString());
            Boot withCache = bootWithCache(m);
            Boot without = boot(m);
            assertThat(withCache.exit()).isEqualTo(ExitCode.ENTRIES_FAILED).isEqualTo(without.exit());
            assertThat(withoutTimes(withCache.err())).contains("/persist").isEqualTo(withoutTimes(without.err()));
            assertThat(m.mountsBelowRoot()).isEmpty();
            assertThat(m.at("/persist")).isEmptyDirectory();
        }
    }

    @Test
    void anApplyByHandKeepsTheBootsCacheOfTheSameConfigAndReplacesAnOldConfigs() throws Exception {
        try (Machine m = bootedOnce()) {
            byte[] boots = Files.readAllBytes(cacheFile(m));
            // The running system's passwd is not the fresh root's (a user added since the blank):
            // the capture service's apply must not make the next boot miss.
            append(m.at("/etc/passwd"), "eve:x:1004:1004::/home/eve:/bin/sh\n");
            Machine.Run byHand = m.lethe("apply");
            assertThat(byHand.exit()).as(byHand.all()).isZero();
            assertThat(Files.readAllBytes(cacheFile(m))).isEqualTo(boots);

            m.config(CONFIG + "[[store]]\npath = \"/scratch\"\n");
            assertThat(m.lethe("apply").exit()).isZero();
            ConfigCache.Cached now = ConfigCache.decode(Files.readAllBytes(cacheFile(m))).orElseThrow();
            assertThat(now.config()).isEqualTo(ConfigLoader.load(m.config, m.root));
        }
    }

    @Test
    void cacheInIsNotForTheInitrdStageNorARelativePath() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            assertThat(m.lethe("apply", "--boot", "initrd", "--cache-in", "/persist").exit()).isEqualTo(ExitCode.USAGE);
            assertThat(m.lethe("apply", "--boot", "system", "--cache-in", "persist").exit()).isEqualTo(ExitCode.USAGE);
            assertThat(m.lethe("apply", "--cache-in", "persist").exit()).isEqualTo(ExitCode.USAGE);
        }
    }

    @Test
    void theCaptureRunTakesTheBootsCacheAndDoesWhatAPlainApplyDoes() throws Exception {
        try (Machine m = bootedOnce()) {
            byte[] written = Files.readAllBytes(cacheFile(m));
            ChildRun capture = ChildRun.of(m, "apply", "--cache-in", "/persist");
            assertThat(capture.exit()).as(capture.err()).isZero();
            assertThat(capture.loaded("org.tomlj.")).as("tomlj loaded on a cache hit").isFalse();
            assertThat(capture.loaded("picocli.CommandLine$Model")).as("picocli's model built for the capture unit's command").isFalse();
            assertThat(m.mountsBelowRoot()).containsAll(MOUNTED);
            assertThat(Files.readAllBytes(cacheFile(m))).as("a hit writes nothing").isEqualTo(written);
            // the same command parsed (picocli, TOML) says the same: nothing left to do
            ChildRun hit = ChildRun.of(m, "apply", "--cache-in", "/persist");
            ChildRun parsed = ChildRun.of(m, "apply");
            assertThat(parsed.loaded("org.tomlj.")).isTrue();
            assertThat(parsed.exit()).isZero();
            assertThat(withoutTimes(hit.out())).isEqualTo(withoutTimes(parsed.out())).contains("nothing to do");
        }
    }

    @Test
    void theCaptureUnitNamesTheBootsCache() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            assertThat(Units.capture(ConfigLoader.load(m.config, m.root)))
                    .contains("ExecStart=/usr/sbin/lethe apply --cache-in /persist\n")
                    .contains("ExecStop=/usr/sbin/lethe apply --cache-in /persist\n");
        }
    }

    @Test
    void theBootUnitNamesTheFirstStoreUnlessSystemdWouldRewriteItsPath() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG + "[[store]]\npath = \"/scratch\"\n");
            assertThat(Units.activate(ConfigLoader.load(m.config, m.root)))
                    .contains("ExecStart=/usr/sbin/lethe apply --boot system --cache-in /persist\n");
            m.config(CONFIG.replace("/persist", "/my store%i"));
            assertThat(Units.activate(ConfigLoader.load(m.config, m.root)))
                    .contains("ExecStart=/usr/sbin/lethe apply --boot system\n");
        }
    }

    /** The summary line's "(40 ms)" differs from run to run. */
    private static String withoutTimes(String output) {
        return output.replaceAll("\\(\\d+ ms\\)", "");
    }

    private static void append(Path file, String text) {
        try {
            Files.writeString(file, Files.readString(file) + text, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
