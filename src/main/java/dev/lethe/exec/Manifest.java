package dev.lethe.exec;

import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a migrated original held when its copy was verified: for every path in the tree, its
 * identity (device, inode, type) and change stamps (size, mtime, ctime). After the copy is in
 * the store, only what still matches is removed from the original; anything written since stays
 * where it is, so nothing that was not copied is ever deleted.
 *
 * <p>Directories are matched by identity only, because removing their children changes their
 * times; files with several hard links are matched without ctime, because removing one link
 * changes the other's.
 */
record Manifest(Map<String, Stamp> entries) {

    /** Identity and change stamps of one path. */
    record Stamp(int type, long device, long inode, long size, long mtimeSec, int mtimeNsec,
                 long ctimeSec, int ctimeNsec, int nlink) {

        static Stamp of(Stat s) {
            return new Stamp(s.type(), s.device(), s.inode(), s.size(), s.mtimeSec(), s.mtimeNsec(),
                    s.ctimeSec(), s.ctimeNsec(), s.nlink());
        }

        /** True if {@code now} is still what was copied. */
        boolean unchanged(Stamp now) {
            boolean same = type == now.type && device == now.device && inode == now.inode;
            if (!same || type == dev.lethe.linux.FileType.S_IFDIR) {
                return same;
            }
            boolean content = size == now.size && mtimeSec == now.mtimeSec && mtimeNsec == now.mtimeNsec;
            return nlink > 1 ? content : content && ctimeSec == now.ctimeSec && ctimeNsec == now.ctimeNsec;
        }
    }

    Manifest {
        entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    private static final long DIRECTORY = Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC;

    /** Walks the tree {@code name} in {@code parentFd} without following links; "" is the top itself. */
    static Manifest of(Syscalls sys, int parentFd, byte[] name) throws IOException {
        Map<String, Stamp> entries = new LinkedHashMap<>();
        Stat top = sys.statx(parentFd, name, 0);
        entries.put("", Stamp.of(top));
        if (top.isDirectory()) {
            try (Descriptor fd = sys.open(parentFd, name, DIRECTORY, 0)) {
                walk(sys, fd.value(), "", top.device(), entries);
            }
        }
        return new Manifest(entries);
    }

    private static void walk(Syscalls sys, int dirFd, String prefix, long device, Map<String, Stamp> entries)
            throws IOException {
        for (Syscalls.DirEntry child : sys.listDirectory(dirFd)) {
            String key = prefix + "/" + encode(child.name());
            Stat stat = sys.statx(dirFd, child.name(), 0);
            if (stat.mountRoot() || stat.device() != device) {
                throw new IOException(decode(key) + " is on another filesystem; lethe does not migrate nested mounts");
            }
            entries.put(key, Stamp.of(stat));
            if (stat.isDirectory()) {
                try (Descriptor fd = sys.open(dirFd, child.name(), DIRECTORY, 0)) {
                    walk(sys, fd.value(), key, device, entries);
                }
            }
        }
    }

    /** The paths listed, the top included: how many entries a copy or a verification goes through. */
    long files() {
        return entries.size();
    }

    /** The bytes of the regular files, a hard-linked file once: what a copy writes. */
    long bytesOnce() {
        return entries.values().stream().filter(s -> s.type() == dev.lethe.linux.FileType.S_IFREG)
                .map(s -> List.of(s.device(), s.inode(), s.size())).distinct().mapToLong(k -> k.get(2)).sum();
    }

    /** The bytes of the regular files, a hard-linked file once per name: what a verification reads. */
    long bytesPerName() {
        return entries.values().stream().filter(s -> s.type() == dev.lethe.linux.FileType.S_IFREG)
                .mapToLong(Stamp::size).sum();
    }

    /**
     * Removes from the tree {@code name} in {@code parentFd} everything this manifest lists
     * unchanged, deepest first, keeping the top directory itself when {@code keepTop}. Returns the
     * paths that were kept because they are new or changed.
     */
    List<String> removeUnchanged(Syscalls sys, int parentFd, byte[] name, boolean keepTop) throws IOException {
        List<String> kept = new ArrayList<>();
        Stat top;
        try {
            top = sys.statx(parentFd, name, 0);
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT)) {
                return kept;
            }
            throw e;
        }
        removeIfUnchanged(sys, parentFd, name, "", top, keepTop, kept);
        return kept;
    }

    /** Returns true if the path was removed. */
    private boolean removeIfUnchanged(Syscalls sys, int parentFd, byte[] name, String key, Stat stat, boolean keep,
                                      List<String> kept) throws IOException {
        Stamp recorded = entries.get(key);
        if (recorded == null || !recorded.unchanged(Stamp.of(stat))) {
            kept.add(key.isEmpty() ? "." : decode(key).substring(1));
            return false;
        }
        if (stat.isDirectory()) {
            boolean emptied = true;
            try (Descriptor dir = sys.open(parentFd, name, DIRECTORY, 0)) {
                int fd = dir.value();
                for (Syscalls.DirEntry child : sys.listDirectory(fd)) {
                    Stat childStat = sys.statx(fd, child.name(), 0);
                    emptied &= removeIfUnchanged(sys, fd, child.name(), key + "/" + encode(child.name()), childStat, false, kept);
                }
                sys.fsync(fd);
            }
            if (keep || !emptied) {
                return false;
            }
            sys.unlinkat(parentFd, name, Flags.AT_REMOVEDIR);
            return true;
        }
        if (keep) {
            return false;
        }
        sys.unlinkat(parentFd, name, 0);
        return true;
    }

    private static String encode(byte[] name) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(name);
    }

    private static String decode(String key) {
        StringBuilder path = new StringBuilder();
        for (String part : key.split("/")) {
            if (!part.isEmpty()) {
                path.append('/').append(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
            }
        }
        return path.toString();
    }

    /** One line per path: key and stamp, space-separated. */
    String serialize() {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Stamp> e : entries.entrySet()) {
            Stamp s = e.getValue();
            out.append(e.getKey().isEmpty() ? "." : e.getKey()).append(' ').append(s.type()).append(' ')
                    .append(s.device()).append(' ').append(s.inode()).append(' ').append(s.size()).append(' ')
                    .append(s.mtimeSec()).append(' ').append(s.mtimeNsec()).append(' ')
                    .append(s.ctimeSec()).append(' ').append(s.ctimeNsec()).append(' ').append(s.nlink()).append('\n');
        }
        return out.toString();
    }

    static Manifest parse(List<String> lines) {
        Map<String, Stamp> entries = new LinkedHashMap<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            entries.put(f[0].equals(".") ? "" : f[0], new Stamp(Integer.parseInt(f[1]), Long.parseLong(f[2]),
                    Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]), Integer.parseInt(f[6]),
                    Long.parseLong(f[7]), Integer.parseInt(f[8]), Integer.parseInt(f[9])));
        }
        return new Manifest(entries);
    }
}
