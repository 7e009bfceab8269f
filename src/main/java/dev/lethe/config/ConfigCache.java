package dev.lethe.config;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.BuildIdentity;
import dev.lethe.model.Attributes;
import dev.lethe.model.Entry;
import dev.lethe.model.Kind;
import dev.lethe.model.Method;
import dev.lethe.model.Mode;
import dev.lethe.model.Origin;
import dev.lethe.model.PathGlob;
import dev.lethe.model.Principal;
import dev.lethe.model.Stage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.zip.CRC32;

/**
 * A validated {@link Config} as bytes, so that the boot path needs no TOML parser (tomlj and ANTLR
 * are a tenth of the classes a boot loads, and their first use dominates the config's load). It is
 * valid only for the {@link Key} it was made from: the same build of lethe and the exact bytes of
 * the config file, etc/passwd and etc/group. {@link #decode} refuses anything else: another
 * format, a damaged or truncated file (a CRC-32 over every byte), another key; the caller then
 * parses the TOML as always. An invalid config is never encoded, so it always fails the same way.
 *
 * <p>Layout: magic, format, body length, body, CRC-32 of all that; the body is the key's bytes, then
 * the config field by field (plain {@link java.io.DataOutput}; strings as UTF-16 code units, so any
 * Java string comes back equal).
 */
public final class ConfigCache {
    private ConfigCache() {}

    /** The file's name in a store's {@code .lethe} directory. */
    public static final String FILE_NAME = "config-cache";

    private static final long MAGIC = 0x6c6574686563666eL; // "lethecfn"
    static final int FORMAT = 3;
    private static final int HEADER = Long.BYTES + Integer.BYTES + Integer.BYTES;
    /** Far above any config (1 250 entries take about 200 KB): a larger file is not one of ours. */
    private static final int LIMIT = 64 * 1024 * 1024;

    /**
     * What a cache is valid for.
     *
     * @param build  the running lethe's build (another build may parse differently)
     * @param inputs the bytes the config was parsed from
     */
    public record Key(String build, ConfigInputs inputs) {
        // equals and hashCode written out, as the record's own would be: the generated ones are
        // bootstrapped through java.lang.invoke at their first call, which every boot paid
        // (docs/performance.md, start-up lever by lever). RecordEqualityTest holds them to it.
        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && build.equals(k.build) && inputs.equals(k.inputs);
        }

        @Override
        public int hashCode() {
            return 31 * build.hashCode() + inputs.hashCode();
        }

        public Key {
            Objects.requireNonNull(build);
            Objects.requireNonNull(inputs);
        }

        /** The key for this build and the bytes of {@code file} and {@code root}'s user database, read now. */
        public static Key of(Path file, Path root) throws ConfigException {
            return new Key(BuildIdentity.of(ConfigCache.class), ConfigInputs.read(file, root));
        }

        /** Same build and the same config file, whatever its user database. */
        public boolean sameConfig(Key other) {
            return build.equals(other.build) && inputs.sameConfig(other.inputs);
        }
    }

    /** A decoded cache: the key it was made for and the config. */
    public record Cached(Key key, Config config) {}

    public static byte[] encode(Key key, Config config) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(MAGIC);
            out.writeInt(FORMAT);
            out.writeInt(0); // the body's length, set below
            writeKey(out, key);
            writeConfig(out, config);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory", e);
        }
        byte[] result = bytes.toByteArray();
        int body = result.length - HEADER;
        putInt(result, Long.BYTES + Integer.BYTES, body);
        CRC32 crc = new CRC32();
        crc.update(result, 0, result.length);
        byte[] withCrc = java.util.Arrays.copyOf(result, result.length + Integer.BYTES);
        putInt(withCrc, result.length, (int) crc.getValue());
        return withCrc;
    }

    /** The key and config in {@code bytes}, or empty if they are not a whole, undamaged cache of this format. */
    public static Optional<Cached> decode(byte[] bytes) {
        if (bytes.length < HEADER + Integer.BYTES) {
            return Optional.empty();
        }
        int end = bytes.length - Integer.BYTES;
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, end);
        if ((int) crc.getValue() != getInt(bytes, end)) {
            return Optional.empty();
        }
        try {
            Cursor in = new Cursor(bytes, end);
            if (in.readLong() != MAGIC || in.readInt() != FORMAT || in.readInt() != end - HEADER) {
                return Optional.empty();
            }
            Key key = readKey(in);
            Config config = readConfig(in);
            return in.available() == 0 ? Optional.of(new Cached(key, config)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            // Whatever does not decode (a value a record refuses, a count past the end) is no cache.
            return Optional.empty();
        }
    }

    /** The config in {@code bytes} if they are a valid cache made for exactly {@code key}. */
    public static Optional<Config> lookup(byte[] bytes, Key key) {
        return decode(bytes).filter(cached -> cached.key().equals(key)).map(Cached::config);
    }

    /**
     * The config cached in {@code file} for {@code key}, or empty if the file is missing, unreadable,
     * not a regular file owned by root that only root can write (anyone could write a cache with the
     * right key, whose config would then say what to mount), or not a valid cache for that key.
     */
    public static Optional<Config> read(Path file, Key key) {
        try {
            Map<String, Object> attributes = Files.readAttributes(file, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) attributes.get("mode");
            boolean regular = (mode & 0170000) == 0100000;
            if (!regular || (Integer) attributes.get("uid") != 0 || (mode & 0022) != 0) {
                return Optional.empty();
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                bytes = in.readNBytes(LIMIT + 1);
            }
            return bytes.length > LIMIT ? Optional.empty() : lookup(bytes, key);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void writeKey(DataOutputStream out, Key key) throws IOException {
        writeString(out, key.build());
        ConfigInputs inputs = key.inputs();
        writeString(out, inputs.file());
        writeBytes(out, inputs.config());
        writeBytes(out, inputs.passwd());
        writeBytes(out, inputs.group());
    }

    private static Key readKey(Cursor in) throws IOException {
        String build = readString(in);
        String file = readString(in);
        return new Key(build, new ConfigInputs(file, readBytes(in), readBytes(in), readBytes(in)));
    }

    private static void writeConfig(DataOutputStream out, Config config) throws IOException {
        writeString(out, config.file());
        writeRoot(out, config.root());
        out.writeInt(config.stores().size());
        for (StoreConfig store : config.stores()) {
            writeString(out, store.path().value());
            out.writeBoolean(store.onRoot());
            writeOrigin(out, store.origin());
        }
        out.writeInt(config.entries().size());
        for (Entry entry : config.entries()) {
            writeEntry(out, entry);
        }
        out.writeInt(config.diff().ignore().size());
        for (PathGlob glob : config.diff().ignore()) {
            writeString(out, glob.value());
        }
        out.writeBoolean(config.metrics().textfile().isPresent());
        if (config.metrics().textfile().isPresent()) {
            writeString(out, config.metrics().textfile().get().value());
        }
    }

    private static Config readConfig(Cursor in) throws IOException {
        String file = readString(in);
        RootConfig root = readRoot(in);
        int storeCount = readCount(in);
        List<StoreConfig> stores = new ArrayList<>(storeCount);
        for (int i = 0; i < storeCount; i++) {
            stores.add(new StoreConfig(readPath(in), in.readBoolean(), readOrigin(in)));
        }
        int entryCount = readCount(in);
        List<Entry> entries = new ArrayList<>(entryCount);
        for (int i = 0; i < entryCount; i++) {
            entries.add(readEntry(in));
        }
        int globCount = readCount(in);
        List<PathGlob> ignore = new ArrayList<>(globCount);
        for (int i = 0; i < globCount; i++) {
            ignore.add(PathGlob.of(readString(in)));
        }
        MetricsConfig metrics = in.readBoolean()
                ? new MetricsConfig(java.util.Optional.of(readPath(in))) : MetricsConfig.NONE;
        return new Config(file, root, stores, entries, new DiffConfig(ignore), metrics);
    }

    private static void writeRoot(DataOutputStream out, RootConfig root) throws IOException {
        // What every strategy has first, then the strategy's own values.
        out.writeByte(root.strategy().ordinal());
        RootConfig.Retention retention = root.retention();
        writeOptionalInt(out, retention.last());
        out.writeBoolean(retention.within().isPresent());
        if (retention.within().isPresent()) {
            out.writeLong(retention.within().get().getSeconds());
            out.writeInt(retention.within().get().getNano());
        }
        writeOptionalInt(out, retention.hourly());
        writeOptionalInt(out, retention.daily());
        writeOptionalInt(out, retention.weekly());
        writeOptionalInt(out, retention.monthly());
        writeOrigin(out, root.origin());
        switch (root) {
            case RootConfig.Btrfs btrfs -> {
                writeString(out, btrfs.device());
                writeString(out, btrfs.subvolume());
                writeString(out, btrfs.blank());
            }
            case RootConfig.Zfs zfs -> {
                writeString(out, zfs.dataset());
                writeString(out, zfs.blank());
            }
            case RootConfig.Overlay overlay -> {
                writeString(out, overlay.upper().value());
                writeOptionalString(out, overlay.device());
            }
            case RootConfig.Tmpfs tmpfs -> { }
            case RootConfig.None none -> { }
        }
    }

    private static RootConfig readRoot(Cursor in) throws IOException {
        RootConfig.Strategy strategy = RootConfig.Strategy.values()[in.readUnsignedByte()];
        OptionalInt last = readOptionalInt(in);
        Optional<Duration> within = in.readBoolean()
                ? Optional.of(Duration.ofSeconds(in.readLong(), in.readInt())) : Optional.empty();
        RootConfig.Retention retention = new RootConfig.Retention(last, within, readOptionalInt(in),
                readOptionalInt(in), readOptionalInt(in), readOptionalInt(in));
        Origin origin = readOrigin(in);
        // Arguments are evaluated left to right, in the order they were written.
        return switch (strategy) {
            case BTRFS -> new RootConfig.Btrfs(readString(in), readString(in), readString(in), retention, origin);
            case ZFS -> new RootConfig.Zfs(readString(in), readString(in), retention, origin);
            case OVERLAY -> new RootConfig.Overlay(readPath(in), readOptionalString(in), retention, origin);
            case TMPFS -> new RootConfig.Tmpfs(requireUndeclared(retention, origin));
            case NONE -> new RootConfig.None(requireUndeclared(retention, origin));
        };
    }

    /** Tmpfs and none have no retention of their own: bytes that say otherwise are not ours. */
    private static Origin requireUndeclared(RootConfig.Retention retention, Origin origin) {
        if (!retention.equals(RootConfig.Retention.UNDECLARED)) {
            throw new IllegalArgumentException("a retention for a strategy that archives nothing");
        }
        return origin;
    }

    private static void writeEntry(DataOutputStream out, Entry entry) throws IOException {
        writeString(out, entry.target().value());
        writeString(out, entry.store().value());
        out.writeByte(entry.kind().ordinal());
        out.writeByte(entry.method().ordinal());
        out.writeByte(entry.stage().ordinal());
        writeAttributes(out, entry.attributes());
        writeAttributes(out, entry.parents());
        out.writeBoolean(entry.home().isPresent());
        if (entry.home().isPresent()) {
            Entry.UserHome home = entry.home().get();
            writePrincipal(out, home.user());
            writePrincipal(out, home.group());
            writeString(out, home.path().value());
        }
        writeOrigin(out, entry.origin());
    }

    private static Entry readEntry(Cursor in) throws IOException {
        AbsolutePath target = readPath(in);
        AbsolutePath store = readPath(in);
        Kind kind = Kind.values()[in.readUnsignedByte()];
        Method method = Method.values()[in.readUnsignedByte()];
        Stage stage = Stage.values()[in.readUnsignedByte()];
        Attributes attributes = readAttributes(in);
        Attributes parents = readAttributes(in);
        Optional<Entry.UserHome> home = in.readBoolean()
                ? Optional.of(new Entry.UserHome(readPrincipal(in), readPrincipal(in), readPath(in)))
                : Optional.empty();
        return new Entry(target, store, kind, method, stage, attributes, parents, home, readOrigin(in));
    }

    private static void writeAttributes(DataOutputStream out, Attributes attributes) throws IOException {
        out.writeBoolean(attributes.owner().isPresent());
        if (attributes.owner().isPresent()) {
            writePrincipal(out, attributes.owner().get());
        }
        out.writeBoolean(attributes.group().isPresent());
        if (attributes.group().isPresent()) {
            writePrincipal(out, attributes.group().get());
        }
        out.writeInt(attributes.mode().map(Mode::bits).orElse(-1));
    }

    private static Attributes readAttributes(Cursor in) throws IOException {
        Optional<Principal> owner = in.readBoolean() ? Optional.of(readPrincipal(in)) : Optional.empty();
        Optional<Principal> group = in.readBoolean() ? Optional.of(readPrincipal(in)) : Optional.empty();
        int mode = in.readInt();
        return new Attributes(owner, group, mode == -1 ? Optional.empty() : Optional.of(new Mode(mode)));
    }

    private static void writePrincipal(DataOutputStream out, Principal principal) throws IOException {
        writeString(out, principal.name());
        out.writeInt(principal.id());
    }

    private static Principal readPrincipal(Cursor in) throws IOException {
        return new Principal(readString(in), in.readInt());
    }

    private static void writeOrigin(DataOutputStream out, Origin origin) throws IOException {
        writeString(out, origin.file());
        out.writeInt(origin.line());
    }

    private static Origin readOrigin(Cursor in) throws IOException {
        return new Origin(readString(in), in.readInt());
    }

    private static void writeOptionalInt(DataOutputStream out, OptionalInt value) throws IOException {
        out.writeBoolean(value.isPresent());
        out.writeInt(value.orElse(0));
    }

    private static OptionalInt readOptionalInt(Cursor in) throws IOException {
        boolean present = in.readBoolean();
        int value = in.readInt();
        return present ? OptionalInt.of(value) : OptionalInt.empty();
    }

    private static void writeOptionalString(DataOutputStream out, Optional<String> value) throws IOException {
        out.writeBoolean(value.isPresent());
        if (value.isPresent()) {
            writeString(out, value.get());
        }
    }

    private static Optional<String> readOptionalString(Cursor in) throws IOException {
        return in.readBoolean() ? Optional.of(readString(in)) : Optional.empty();
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        out.writeInt(value.length());
        out.writeChars(value);
    }

    private static String readString(Cursor in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available() / Character.BYTES) {
            throw new IOException("a string longer than the rest of the cache");
        }
        return in.readChars(length);
    }

    private static AbsolutePath readPath(Cursor in) throws IOException {
        return AbsolutePath.of(readString(in));
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(Cursor in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new IOException("bytes past the end of the cache");
        }
        return in.readNBytes(length);
    }

    /** A count of items, each at least one byte long: more than the bytes left is damage. */
    private static int readCount(Cursor in) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > in.available()) {
            throw new IOException("a count past the end of the cache");
        }
        return count;
    }

    /**
     * Reads what {@link DataOutputStream} wrote, from the bytes in memory. Not a DataInputStream: the
     * boot decodes the cache in the interpreter, where that stream's lock per byte read and the var
     * handle it reads numbers through (started at its first use) cost milliseconds. Reading past the
     * end throws, as the stream would.
     */
    private static final class Cursor {
        private final byte[] bytes;
        private final int end;
        private int at;

        Cursor(byte[] bytes, int end) {
            this.bytes = bytes;
            this.end = end;
        }

        int available() {
            return end - at;
        }

        private int advance(int count) throws EOFException {
            if (count > end - at) {
                throw new EOFException("the cache ends early");
            }
            int start = at;
            at += count;
            return start;
        }

        int readUnsignedByte() throws EOFException {
            return bytes[advance(1)] & 0xff;
        }

        boolean readBoolean() throws EOFException {
            return readUnsignedByte() != 0;
        }

        int readInt() throws EOFException {
            return getInt(bytes, advance(Integer.BYTES));
        }

        long readLong() throws EOFException {
            return (long) readInt() << 32 | (readInt() & 0xffffffffL);
        }

        String readChars(int length) throws EOFException {
            int from = advance(length * Character.BYTES);
            char[] chars = new char[length];
            for (int i = 0; i < length; i++) {
                chars[i] = (char) ((bytes[from + 2 * i] & 0xff) << 8 | (bytes[from + 2 * i + 1] & 0xff));
            }
            return new String(chars);
        }

        byte[] readNBytes(int length) throws EOFException {
            int from = advance(length);
            return java.util.Arrays.copyOfRange(bytes, from, from + length);
        }
    }

    private static void putInt(byte[] bytes, int at, int value) {
        bytes[at] = (byte) (value >>> 24);
        bytes[at + 1] = (byte) (value >>> 16);
        bytes[at + 2] = (byte) (value >>> 8);
        bytes[at + 3] = (byte) value;
    }

    private static int getInt(byte[] bytes, int at) {
        return (bytes[at] & 0xff) << 24 | (bytes[at + 1] & 0xff) << 16 | (bytes[at + 2] & 0xff) << 8 | (bytes[at + 3] & 0xff);
    }
}
