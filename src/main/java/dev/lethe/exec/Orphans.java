package dev.lethe.exec;

import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Fs;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Data in a store that no entry names (left by a removed entry or a config edit). Found by
 * descending only through directories that lead to an entry, so the cost is the size of the
 * store's top levels, not of its data. lethe reports orphans and never deletes them.
 */
public final class Orphans {
    private Orphans() {}

    /** One orphaned path in a store, with the size of what it holds. */
    public record Orphan(AbsolutePath store, AbsolutePath path, long bytes, long files) {}

    public static List<Orphan> find(Fs fs, List<AbsolutePath> stores, List<Entry> entries) throws IOException {
        List<Orphan> orphans = new ArrayList<>();
        for (AbsolutePath store : stores) {
            if (fs.stat(store).filter(Stat::isDirectory).isEmpty()) {
                continue;
            }
            Set<AbsolutePath> sources = new HashSet<>();
            Set<AbsolutePath> leadingToSources = new HashSet<>();
            for (Entry entry : entries) {
                if (entry.store().equals(store)) {
                    sources.add(entry.source());
                    leadingToSources.addAll(entry.source().ancestors());
                }
            }
            // Removed entries the store remembers are orphans by their own path, whatever they hold.
            Set<AbsolutePath> removed = new HashSet<>();
            for (AbsolutePath target : KnownEntries.read(fs, store)) {
                AbsolutePath source = target.under(store);
                // One that holds or lies in a current entry is not named whole: the walk below sorts it out.
                if (sources.stream().noneMatch(s -> s.startsWith(source) || source.startsWith(s))) {
                    removed.add(source);
                    leadingToSources.addAll(source.ancestors());
                }
            }
            descend(fs, store, store, sources, removed, leadingToSources, orphans);
        }
        return orphans;
    }

    private static void descend(Fs fs, AbsolutePath store, AbsolutePath dir, Set<AbsolutePath> sources,
                                Set<AbsolutePath> removed, Set<AbsolutePath> leading, List<Orphan> orphans)
            throws IOException {
        for (Syscalls.DirEntry child : fs.list(dir)) {
            AbsolutePath path = dir.resolve(child.text());
            if (dir.equals(store) && child.text().equals(".lethe")) {
                continue;
            }
            if (dir.equals(store) && child.text().equals("lost+found") && fs.stat(path).filter(Stat::isDirectory).isPresent()) {
                continue; // the filesystem's own (e2fsck's), made with the store's filesystem: not user data
            }
            if (sources.contains(path)) {
                continue;
            }
            if (removed.contains(path)) {
                long[] size = measure(fs, path);
                orphans.add(new Orphan(store, path, size[0], size[1]));
                continue;
            }
            if (leading.contains(path)) {
                Stat stat = fs.stat(path).orElse(null);
                if (stat != null && stat.isDirectory()) {
                    descend(fs, store, path, sources, removed, leading, orphans);
                    continue;
                }
            }
            // Not an entry the store remembers (data put there by hand, or a store older than the record):
            // a directory holding only one directory is named by that one.
            AbsolutePath orphan = narrowest(fs, path);
            long[] size = measure(fs, orphan);
            orphans.add(new Orphan(store, orphan, size[0], size[1]));
        }
    }

    /** A directory that holds nothing but one directory is named by that one: "/persist/var/lib/app", not "/persist/var/lib". */
    private static AbsolutePath narrowest(Fs fs, AbsolutePath path) throws IOException {
        AbsolutePath narrowest = path;
        while (fs.stat(narrowest).filter(Stat::isDirectory).isPresent()) {
            List<Syscalls.DirEntry> children = fs.list(narrowest);
            if (children.size() != 1) {
                break;
            }
            AbsolutePath only = narrowest.resolve(children.getFirst().text());
            if (fs.stat(only).filter(Stat::isDirectory).isEmpty()) {
                break;
            }
            narrowest = only;
        }
        return narrowest;
    }

    /** Bytes and files below a path, without following links or crossing into other mounts. */
    static long[] measure(Fs fs, AbsolutePath path) throws IOException {
        long[] total = new long[2];
        Stat top = fs.stat(path).orElse(null);
        if (top == null) {
            return total;
        }
        try (Fs.Fd fd = fs.open(path, top.isDirectory() ? Flags.O_RDONLY | Flags.O_DIRECTORY : Flags.O_PATH)) {
            walk(fs.syscalls(), fd.value(), top, top.device(), total);
        }
        return total;
    }

    private static void walk(Syscalls sys, int fd, Stat stat, long device, long[] total) throws IOException {
        if (!stat.isDirectory()) {
            total[0] += stat.size();
            total[1]++;
            return;
        }
        for (Syscalls.DirEntry child : sys.listDirectory(fd)) {
            Stat childStat = sys.statx(fd, child.name(), 0);
            if (childStat.isDirectory() && childStat.device() == device) {
                try (Descriptor childFd = sys.open(fd, child.name(),
                        Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0)) {
                    walk(sys, childFd.value(), childStat, device, total);
                }
            } else if (!childStat.isDirectory()) {
                total[0] += childStat.size();
                total[1]++;
            }
        }
    }
}
