package dev.lethe.diff.packages;

import static dev.lethe.linux.Syscalls.bytes;

import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Fs;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.BuildIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The dpkg database as last parsed, kept in the first usable store beside the hash cache
 * ({@code <store>/.lethe/diff-packages}), so that a second {@code lethe diff} reads one file instead
 * of every package's list and md5sums.
 *
 * <p>It is valid only for its key: this build of lethe, the root's top-level symbolic links (they
 * decide every canonical path), and the identity (device, inode, size, mtime and ctime to the
 * nanosecond) of dpkg's {@code status} and {@code diversions} and of every {@code info/*.list} and
 * {@code info/*.md5sums}. dpkg replaces these files when it installs, removes or upgrades a package
 * (and a rewrite in place sets ctime), so an equal key means the same database. A root with a pacman
 * database too is parsed every time.
 *
 * <p>The file is its magic, format, key, the {@link PackageIndex} and a CRC32C over all of it. A
 * cache that is truncated, damaged, of another format or key, not a regular file, not root's or
 * writable by others is ignored, and the parse's result written in its place (atomically); a cache
 * that cannot be written leaves the diff as it is. As with {@link dev.lethe.diff.HashCache}, a
 * database file changed in the last seconds may change again within the same timestamp tick, so
 * such a parse is not written.
 */
public final class BaselineCache {

    /** {@code <store>/.lethe/diff-packages}. */
    public static final String FILE_NAME = "diff-packages";

    static final long MAGIC = 0x4c45544845504b47L; // "LETHEPKG"
    static final int FORMAT = 1;
    private static final int HEADER = Long.BYTES + Integer.BYTES;
    /** Far beyond any real database (a million paths take ~15 MB): a larger file is not read. */
    private static final long LARGEST = 1L << 30;

    private BaselineCache() {}

    /** Where the baseline came from. */
    public enum Outcome {
        /** read from the cache */
        HIT,
        /** parsed, and the cache written */
        REBUILT,
        /** parsed, no cache written: no store, no dpkg database, a database just changed, or a store that refused */
        UNCACHED
    }

    public record Loaded(PackageBaseline baseline, Outcome outcome) {}

    /**
     * The key of a database: its bytes, and whether every file in it is old enough to trust.
     *
     * @param settled false if a file's ctime is not before the trusted instant: such a parse is not kept
     */
    record Key(byte[] bytes, boolean settled) {}

    /**
     * The package baseline of the root {@code live} is opened on (host path {@code root}): from
     * {@code store}'s cache if it is that of the database as it is now, else parsed, and then
     * written to the cache.
     *
     * @param trustedBeforeEpochNanos database files changed (ctime) at or after this instant are too
     *                                young for the parse to be kept
     */
    public static Loaded load(Fs live, Path root, Optional<AbsolutePath> store, long trustedBeforeEpochNanos) {
        Optional<Key> key = store.isPresent() ? key(live, root, trustedBeforeEpochNanos) : Optional.empty();
        if (key.isEmpty()) {
            return new Loaded(PackageBaseline.load(root), Outcome.UNCACHED);
        }
        AbsolutePath file = store.get().resolve(".lethe").resolve(FILE_NAME);
        Optional<PackageIndex> cached = read(live, file).flatMap(bytes -> decode(bytes, key.get().bytes()));
        if (cached.isPresent()) {
            return new Loaded(PackageBaseline.ofDpkgIndex(root, cached.get()), Outcome.HIT);
        }
        PackageBaseline parsed = PackageBaseline.load(root);
        // Kept only if nothing changed while it was read: the key is taken again after the parse.
        boolean keep = key.get().settled() && parsed.managers().equals(List.of("dpkg"))
                && key(live, root, trustedBeforeEpochNanos).filter(after -> Arrays.equals(after.bytes(), key.get().bytes()))
                        .isPresent();
        return new Loaded(parsed, keep && write(live, store.get(), encode(key.get().bytes(), parsed.index()))
                ? Outcome.REBUILT : Outcome.UNCACHED);
    }

    // ---------------------------------------------------------------- the key

    /**
     * The key of the dpkg database on this root as it is now; empty if there is nothing to cache (no
     * dpkg status, a pacman database, a database file that is not a regular file, or one that could
     * not be examined).
     */
    static Optional<Key> key(Fs live, Path root, long trustedBeforeEpochNanos) {
        if (Files.isDirectory(PackageBaseline.pacmanDirectory(root))) {
            return Optional.empty();
        }
        Syscalls sys = live.syscalls();
        PackageIndex.Encoder out = new PackageIndex.Encoder();
        out.string(BuildIdentity.of(PackageBaseline.class));
        Map<String, String> links = new TreeMap<>(PackageBaseline.topLevelLinks(root));
        out.varint(links.size());
        links.forEach((name, target) -> {
            out.string(name);
            out.string(target);
        });
        long newest = Long.MIN_VALUE;
        try (Fs.Fd dpkg = live.open(AbsolutePath.of("/var/lib/dpkg"), Flags.O_RDONLY | Flags.O_DIRECTORY)) {
            Optional<Stat> status = identity(sys, dpkg.value(), "status");
            if (status.isEmpty() || !status.get().isRegularFile()) {
                return Optional.empty();
            }
            newest = Math.max(newest, identify(out, status.get()));
            Optional<Stat> diversions = identity(sys, dpkg.value(), "diversions");
            out.u8(diversions.isPresent() ? 1 : 0);
            if (diversions.isPresent()) {
                if (!diversions.get().isRegularFile()) {
                    return Optional.empty();
                }
                newest = Math.max(newest, identify(out, diversions.get()));
            }
            int infoFd;
            try {
                infoFd = sys.openat(dpkg.value(), bytes("info"),
                        Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0);
            } catch (ErrnoException e) {
                if (!e.is(Errno.ENOENT)) {
                    return Optional.empty();
                }
                infoFd = -1;
            }
            if (infoFd < 0) {
                out.varint(0);  // no info directory: nothing listed, as the parse finds
            } else {
                try (Descriptor info = Descriptor.owning(sys, infoFd)) {
                    List<Syscalls.DirEntry> names = new ArrayList<>();
                    for (Syscalls.DirEntry entry : sys.listDirectory(info.value())) {
                        String name = entry.text();
                        if (name.endsWith(".list") || name.endsWith(".md5sums")) {
                            names.add(entry);
                        }
                    }
                    names.sort(Comparator.comparing(Syscalls.DirEntry::text));
                    out.varint(names.size());
                    for (Syscalls.DirEntry entry : names) {
                        // A file that vanished meanwhile throws: a database being changed is not cached.
                        Stat stat = sys.statx(info.value(), entry.name(), 0);
                        if (!stat.isRegularFile()) {
                            return Optional.empty();
                        }
                        out.varint(entry.name().length);
                        out.bytes(entry.name(), 0, entry.name().length);
                        newest = Math.max(newest, identify(out, stat));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.of(new Key(out.toByteArray(), newest < trustedBeforeEpochNanos));
    }

    private static Optional<Stat> identity(Syscalls sys, int dirFd, String name) throws ErrnoException {
        try {
            return Optional.of(sys.statx(dirFd, bytes(name), 0));
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Writes the file's identity; returns its ctime in nanoseconds since the epoch. */
    private static long identify(PackageIndex.Encoder out, Stat stat) {
        out.u64(stat.device());
        out.u64(stat.inode());
        out.u64(stat.size());
        out.u64(stat.mtimeSec());
        out.u32(stat.mtimeNsec());
        out.u64(stat.ctimeSec());
        out.u32(stat.ctimeNsec());
        return stat.ctimeSec() * 1_000_000_000L + stat.ctimeNsec();
    }

    // ---------------------------------------------------------------- the file

    /** The cache file's bytes, in one read; empty if absent, not a regular file, not root's, or writable by others. */
    private static Optional<byte[]> read(Fs live, AbsolutePath file) {
        try (Fs.Fd fd = live.open(file, Flags.O_RDONLY | Flags.O_NONBLOCK | Flags.O_NOCTTY)) {
            Syscalls sys = live.syscalls();
            Stat stat = sys.statx(fd.value(), new byte[0], Flags.AT_EMPTY_PATH);
            // What it holds decides what the diff calls unchanged: only root's own file is believed.
            if (!stat.isRegularFile() || (stat.permissions() & 0022) != 0 || stat.uid() != 0 || stat.size() > LARGEST) {
                return Optional.empty();
            }
            byte[] content = new byte[(int) stat.size()];
            int filled = 0;
            while (filled < content.length) {
                int n = sys.pread(fd.value(), content, filled, content.length - filled, filled);
                if (n <= 0) {
                    return Optional.empty();  // shorter than statx said: being replaced, not whole
                }
                filled += n;
            }
            return Optional.of(content);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();  // absent or unreadable: parsed as without a cache
        }
    }

    /** Magic, format, key, index, then a CRC32C of every byte before it. */
    static byte[] encode(byte[] key, PackageIndex index) {
        PackageIndex.Encoder out = new PackageIndex.Encoder();
        out.u64(MAGIC);
        out.u32(FORMAT);
        out.varint(key.length);
        out.bytes(key, 0, key.length);
        index.writeTo(out);
        CRC32C crc = new CRC32C();
        crc.update(out.buffer(), 0, out.size());
        out.u32((int) crc.getValue());
        return out.toByteArray();
    }

    /** The index in {@code bytes} if they are whole, of this format and made for {@code key}. */
    static Optional<PackageIndex> decode(byte[] bytes, byte[] key) {
        try {
            if (bytes.length < HEADER + Integer.BYTES) {
                return Optional.empty();
            }
            PackageIndex.Decoder in = new PackageIndex.Decoder(bytes, 0, bytes.length - Integer.BYTES);
            if (in.u64() != MAGIC || in.u32() != FORMAT) {
                return Optional.empty();
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - Integer.BYTES);
            if ((int) crc.getValue() != new PackageIndex.Decoder(bytes, bytes.length - Integer.BYTES, bytes.length).u32()) {
                return Optional.empty();
            }
            int keyLength = in.count();
            if (!Arrays.equals(in.slice(keyLength), key)) {
                return Optional.empty();
            }
            PackageIndex index = PackageIndex.readFrom(in);
            return in.position() == bytes.length - Integer.BYTES ? Optional.of(index) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();  // malformed despite its checksum: ignored like a damaged one
        }
    }

    /** Writes the cache atomically into {@code store}'s {@code .lethe} (made root-only if missing); false if it could not be. */
    private static boolean write(Fs live, AbsolutePath store, byte[] content) {
        try {
            Optional<Stat> storeStat = live.stat(store);
            if (storeStat.isEmpty() || !storeStat.get().isDirectory()) {
                return false;  // a diff never creates a store
            }
            AbsolutePath lethe = store.resolve(".lethe");
            if (live.stat(lethe).isEmpty()) {
                live.makeDirectory(lethe, 0, 0, 0700);
            }
            live.writeFileAtomically(lethe.resolve(FILE_NAME), content, 0600);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;  // a read-only or full store: the diff is the same without the cache
        }
    }
}
