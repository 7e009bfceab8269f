package dev.lethe.doctor;

import dev.lethe.config.Config;
import dev.lethe.config.RootConfig;
import dev.lethe.config.StoreConfig;
import dev.lethe.exec.StatusReport;
import dev.lethe.linux.Fs;
import dev.lethe.linux.MountInfo;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.plan.Planner;
import dev.lethe.root.RootStrategy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything {@code doctor} looks at, read once from the machine: the root's fstab, mount units,
 * tmpfiles.d, user databases and SSH host keys (through {@link Fs}, never following a link out of
 * the root), the mount table, the status of every entry, the owners in the stores and the
 * archives' filesystem. {@link Doctor#examine} turns it into findings without looking again.
 */
public record Survey(Config config, String hostRoot, List<StoreMounts.MountLine> mountLines, StatusReport status,
                     MountInfo mounts, List<AbsolutePath> sshHostKeys, List<Checks.Owners> owners,
                     Set<Integer> passwdIds, Set<Integer> groupIds, List<Tmpfiles.AgeRule> tmpfilesRules,
                     Optional<Checks.DiskUsage> disk) {

    static final AbsolutePath UNITS = AbsolutePath.of("/etc/systemd/system");

    public static Survey of(Config config, Fs fs, Path hostRoot, RootStrategy strategy) throws IOException {
        List<AbsolutePath> stores = config.stores().stream().map(StoreConfig::path).toList();
        List<StoreMounts.MountLine> lines = new ArrayList<>(
                StoreMounts.parseFstab(text(fs, AbsolutePath.of("/etc/fstab")).orElse(""), "/etc/fstab"));
        for (String name : names(fs, UNITS)) {
            if (name.endsWith(".mount")) {
                text(fs, UNITS.resolve(name)).flatMap(t -> StoreMounts.parseMountUnit(t, UNITS.resolve(name).value()))
                        .ifPresent(lines::add);
            }
        }
        StatusReport status = StatusReport.of(fs, config.entries(), stores, scope(config));
        List<AbsolutePath> keys = names(fs, AbsolutePath.of("/etc/ssh")).stream()
                .filter(n -> n.startsWith("ssh_host_") && n.endsWith("_key")).sorted()
                .map(n -> AbsolutePath.of("/etc/ssh/" + n)).toList();
        List<Checks.Owners> owners = new ArrayList<>();
        // Only a strategy that forgets the root makes the owners matter; the walk is doctor's one cost per file.
        for (AbsolutePath store : config.root().strategy() == RootConfig.Strategy.NONE ? List.<AbsolutePath>of() : stores) {
            owners.add(owners(store, Path.of(fs.hostPath(store))));
        }
        return new Survey(config, hostRoot.toString(), lines, status, MountInfo.read(), keys, owners,
                ids(fs, AbsolutePath.of("/etc/passwd")), ids(fs, AbsolutePath.of("/etc/group")), tmpfiles(fs),
                disk(config, hostRoot, strategy));
    }

    private static Planner.Scope scope(Config config) {
        Set<AbsolutePath> targets = new HashSet<>();
        config.entries().forEach(e -> targets.add(e.target()));
        Set<AbsolutePath> onRoot = new HashSet<>();
        config.stores().stream().filter(StoreConfig::onRoot).forEach(s -> onRoot.add(s.path()));
        return new Planner.Scope(targets, onRoot);
    }

    /** A regular file's text; empty if it is missing, not a regular file (a link masking it: /dev/null) or unreadable. */
    static Optional<String> text(Fs fs, AbsolutePath path) {
        try {
            Optional<Stat> stat = fs.stat(path);
            if (stat.isEmpty() || !stat.get().isRegularFile()) {
                return Optional.empty();
            }
            return Optional.of(new String(fs.readFile(path), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The names in a directory, or none if it is missing or cannot be read. */
    static List<String> names(Fs fs, AbsolutePath directory) {
        try {
            Optional<Stat> stat = fs.stat(directory);
            if (stat.isEmpty() || !stat.get().isDirectory()) {
                return List.of();
            }
            return fs.list(directory).stream().map(Syscalls.DirEntry::text).filter(n -> !n.equals(".") && !n.equals(".."))
                    .sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The third field of each line of /etc/passwd or /etc/group: the ids the root defines. */
    static Set<Integer> ids(Fs fs, AbsolutePath database) {
        Set<Integer> ids = new HashSet<>();
        for (String line : text(fs, database).orElse("").split("\n")) {
            String[] f = line.split(":");
            if (f.length > 2 && f[2].matches("\\d{1,10}")) {
                ids.add((int) Long.parseLong(f[2]));
            }
        }
        return ids;
    }

    /** The age rules of the effective tmpfiles.d files (a name in /etc masks it in /run and /usr/lib). */
    static List<Tmpfiles.AgeRule> tmpfiles(Fs fs) {
        List<Map<String, String>> perDirectory = new ArrayList<>();
        for (AbsolutePath directory : Tmpfiles.DIRECTORIES) {
            Map<String, String> files = new LinkedHashMap<>();
            for (String name : names(fs, directory)) {
                if (name.endsWith(".conf")) {
                    files.put(name, text(fs, directory.resolve(name)).orElse(""));
                }
            }
            perDirectory.add(files);
        }
        List<Tmpfiles.AgeRule> rules = new ArrayList<>();
        Tmpfiles.effective(perDirectory).values().forEach(file -> rules.addAll(Tmpfiles.ageRules(file.getKey(), file.getValue())));
        return rules;
    }

    /**
     * Each uid and gid in a store with one file that has it. The walk stays in the store's
     * filesystem, follows no link and leaves out lethe's own bookkeeping (.lethe).
     */
    static Checks.Owners owners(AbsolutePath store, Path host) throws IOException {
        TreeMap<Integer, AbsolutePath> uids = new TreeMap<>();
        TreeMap<Integer, AbsolutePath> gids = new TreeMap<>();
        if (!Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
            return new Checks.Owners(store, uids, gids);
        }
        Object storeDevice = Files.getAttribute(host, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        Path bookkeeping = host.resolve(".lethe");
        Files.walkFileTree(host, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                Map<String, Object> owner = Files.readAttributes(dir, "unix:uid,gid,dev", LinkOption.NOFOLLOW_LINKS);
                if (dir.equals(bookkeeping) || !storeDevice.equals(owner.get("dev"))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                note(dir, owner);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                note(file, Files.readAttributes(file, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS));
                return FileVisitResult.CONTINUE;
            }

            private void note(Path path, Map<String, Object> owner) {
                Integer uid = (Integer) owner.get("uid");
                Integer gid = (Integer) owner.get("gid");
                if (!uids.containsKey(uid) || !gids.containsKey(gid)) {
                    String relative = host.relativize(path).toString();
                    AbsolutePath example = relative.isEmpty() ? store : store.resolve(relative);
                    uids.putIfAbsent(uid, example);
                    gids.putIfAbsent(gid, example);
                }
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;  // unreadable: its owner is not known, and not guessed
            }
        });
        return new Checks.Owners(store, uids, gids);
    }

    /**
     * The filesystem the strategy keeps its archives on (an overlay's upper directory; the root's own
     * for btrfs and zfs, whose archives are snapshots beside it); none for tmpfs and none.
     */
    static Optional<Checks.DiskUsage> disk(Config config, Path hostRoot, RootStrategy strategy) throws IOException {
        if (!strategy.wipes()) {
            return Optional.empty();
        }
        AbsolutePath where = config.root() instanceof RootConfig.Overlay overlay ? overlay.upper() : AbsolutePath.ROOT;
        Path host = where.isRoot() ? hostRoot : hostRoot.resolve(where.value().substring(1));
        if (!Files.isDirectory(host)) {
            return Optional.empty();
        }
        FileStore store = Files.getFileStore(host);
        long archives = 0;
        try {
            for (var archive : strategy.archives()) {
                long size = strategy.sizeOf(archive);
                archives = size < 0 || archives < 0 ? -1 : archives + size;
            }
        } catch (IOException e) {
            archives = -1;  // the free space alone still tells
        }
        return Optional.of(new Checks.DiskUsage(where, store.getTotalSpace(), store.getUsableSpace(), archives));
    }

    List<Entry> entries() {
        return config.entries();
    }
}
