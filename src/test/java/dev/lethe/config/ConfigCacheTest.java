package dev.lethe.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.config.ConfigCache.Cached;
import dev.lethe.config.ConfigCache.Key;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The boot's config cache as a pure function pair: every config of the corpus comes back equal,
 * and every damaged, truncated, foreign or stale cache is refused (the boot then parses the TOML).
 */
class ConfigCacheTest {

    private static final String BUILD = "/usr/lib/lethe/lethe.jar 123456 1764806400000000000";

    /** One config for every kind of value a Config holds: each strategy, retention, users, ids, globs, odd names. */
    private static final Map<String, String> CORPUS = Map.ofEntries(
            Map.entry("empty", ""),
            Map.entry("btrfs, every retention rule", """
                    [root]
                    strategy = "btrfs"
                    device = "/dev/disk/by-label/system"
                    subvolume = "/roots/@root"
                    blank = "@root-blank"
                    [root.archive]
                    keep = { last = 0, within = "36h", hourly = 24, daily = 7, weekly = 4, monthly = 12 }
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log"]
                    """),
            Map.entry("zfs, default blank", """
                    [root]
                    strategy = "zfs"
                    dataset = "rpool/local/root"
                    [root.archive]
                    keep = { weekly = 4 }
                    [[store]]
                    path = "/persist"
                    files = [{ path = "/etc/machine-id", stage = "initrd" }]
                    """),
            Map.entry("overlay with a device", """
                    [root]
                    strategy = "overlay"
                    upper = "/state/overlay"
                    device = "/dev/disk/by-label/lower"
                    [[store]]
                    path = "/persist"
                    directories = [{ path = "/var/lib/app", mode = "2770", owner = "www-data", group = "adm" }]
                    """),
            Map.entry("overlay without a device, within only", """
                    [root]
                    strategy = "overlay"
                    upper = "/overlay"
                    [root.archive]
                    keep = { within = "2w" }
                    """),
            Map.entry("tmpfs", """
                    [root]
                    strategy = "tmpfs"
                    [[store]]
                    path = "/persist"
                    directories = ["/var/lib/systemd"]
                    """),
            Map.entry("none, a store on the root, diff globs, a metrics textfile", """
                    [root]
                    strategy = "none"
                    [[store]]
                    path = "/srv/state"
                    on-root = true
                    directories = ["/var/lib/café", "/var/lib/two words", "/var/lib/odd\\nname"]
                    [diff]
                    ignore = ["/var/cache/**", "/**/{.cache,tmp}", "/home/*/[a-c]*"]
                    [metrics]
                    textfile = "/var/lib/node-exporter/lethe.prom"
                    """),
            Map.entry("users, symlinks, raw ids, parents", """
                    [[store]]
                    path = "/persist"
                    parent = { owner = "root", group = "adm", mode = "0711" }
                    files = [{ path = "/etc/ssh/ssh_host_ed25519_key", mode = "0600", method = "symlink" }]
                    directories = [{ path = "/srv/app/data", owner = "1500", group = "2500", parent = { mode = "0750" } }]
                    [store.users.alice]
                    directories = ["Documents", { path = ".ssh", mode = "0700" }]
                    files = [".bash_history"]
                    [[store]]
                    path = "/scratch"
                    users.bob.directories = [{ path = ".cache/mozilla", method = "symlink", parent = { mode = "0700" } }]
                    users.1002.files = ["notes.txt"]
                    """));

    static Stream<Arguments> corpus() throws Exception {
        byte[] passwd = Files.readAllBytes(ConfigLoaderTest.resource("root/etc/passwd"));
        byte[] group = Files.readAllBytes(ConfigLoaderTest.resource("root/etc/group"));
        Path valid = ConfigLoaderTest.resource("valid.toml");
        Stream<Arguments> written = CORPUS.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> Arguments.of(e.getKey(), inputs("/etc/lethe/lethe.toml", e.getValue(), passwd, group)));
        return Stream.concat(Stream.of(Arguments.of("valid.toml",
                ConfigInputs.read(valid, ConfigLoaderTest.resource("root")))), written);
    }

    private static ConfigInputs inputs(String file, String toml, byte[] passwd, byte[] group) {
        try {
            return new ConfigInputs(file, toml.getBytes(StandardCharsets.UTF_8), passwd, group);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void everyConfigComesBackEqualWithItsKey(String name, ConfigInputs inputs) throws Exception {
        Config parsed = ConfigLoader.parse(inputs);
        Key key = new Key(BUILD, inputs);
        byte[] encoded = ConfigCache.encode(key, parsed);

        assertThat(ConfigCache.decode(encoded)).contains(new Cached(key, parsed));
        assertThat(ConfigCache.lookup(encoded, new Key(BUILD, copy(inputs)))).contains(parsed);
        // Every entry with its origin, for the file:line of later messages.
        assertThat(ConfigCache.lookup(encoded, key).orElseThrow().entries())
                .extracting(e -> e.origin().toString()).isEqualTo(parsed.entries().stream().map(e -> e.origin().toString()).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void everyTruncationIsRefused(String name, ConfigInputs inputs) throws Exception {
        byte[] encoded = ConfigCache.encode(new Key(BUILD, inputs), ConfigLoader.parse(inputs));
        for (int length = 0; length < encoded.length; length++) {
            assertThat(ConfigCache.decode(Arrays.copyOf(encoded, length))).as("cut to %d bytes", length).isEmpty();
        }
        byte[] longer = Arrays.copyOf(encoded, encoded.length + 1);
        assertThat(ConfigCache.decode(longer)).as("one byte more").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void everySingleBitFlipIsRefused(String name, ConfigInputs inputs) throws Exception {
        byte[] encoded = ConfigCache.encode(new Key(BUILD, inputs), ConfigLoader.parse(inputs));
        for (int bit = 0; bit < encoded.length * 8; bit++) {
            byte[] flipped = encoded.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(ConfigCache.decode(flipped)).as("bit %d flipped", bit).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void aChangedConfigPasswdGroupFileNameOrBuildIsAnotherKey(String name, ConfigInputs inputs) throws Exception {
        Config parsed = ConfigLoader.parse(inputs);
        byte[] encoded = ConfigCache.encode(new Key(BUILD, inputs), parsed);
        byte[] passwd = inputs.passwd();
        byte[] group = inputs.group();
        byte[] config = inputs.config();
        List<Key> others = List.of(
                new Key(BUILD, inputs(inputs.file(), inputs.text() + "\n", passwd, group)),
                new Key(BUILD, inputs(inputs.file(), inputs.text(), append(passwd, "eve:x:1004:1004::/home/eve:/bin/sh\n"), group)),
                new Key(BUILD, inputs(inputs.file(), inputs.text(), passwd, append(group, "eve:x:1004:\n"))),
                new Key(BUILD, inputs(inputs.file(), inputs.text(), Arrays.copyOf(passwd, passwd.length - 1), group)),
                new Key(BUILD, inputs("/etc/lethe/other.toml", inputs.text(), passwd, group)),
                new Key(BUILD + "1", inputs));
        for (Key other : others) {
            assertThat(ConfigCache.lookup(encoded, other)).as("%s", other).isEmpty();
        }
        assertThat(config).isEqualTo(inputs.text().getBytes(StandardCharsets.UTF_8));
        assertThat(ConfigCache.lookup(encoded, new Key(BUILD, copy(inputs)))).as("equal bytes in new arrays").contains(parsed);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void anotherFormatIsRefusedEvenWithAValidChecksum(String name, ConfigInputs inputs) throws Exception {
        byte[] encoded = ConfigCache.encode(new Key(BUILD, inputs), ConfigLoader.parse(inputs));
        byte[] nextFormat = encoded.clone();
        nextFormat[Long.BYTES + Integer.BYTES - 1] = (byte) (ConfigCache.FORMAT + 1);
        resealed(nextFormat);
        assertThat(ConfigCache.decode(nextFormat)).isEmpty();
        byte[] same = encoded.clone();
        resealed(same);
        assertThat(ConfigCache.decode(same)).as("resealing alone changes nothing").isPresent();
    }

    /** Recomputes the trailing CRC-32, as a writer of another format would. */
    private static void resealed(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        int value = (int) crc.getValue();
        for (int i = 0; i < 4; i++) {
            bytes[bytes.length - 4 + i] = (byte) (value >>> (24 - 8 * i));
        }
    }

    private static ConfigInputs copy(ConfigInputs inputs) {
        return inputs(inputs.file(), new String(inputs.config().clone(), StandardCharsets.UTF_8),
                inputs.passwd().clone(), inputs.group().clone());
    }

    private static byte[] append(byte[] bytes, String line) {
        byte[] more = line.getBytes(StandardCharsets.UTF_8);
        byte[] result = Arrays.copyOf(bytes, bytes.length + more.length);
        System.arraycopy(more, 0, result, bytes.length, more.length);
        return result;
    }
}
