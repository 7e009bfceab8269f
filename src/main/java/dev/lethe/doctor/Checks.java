package dev.lethe.doctor;

import dev.lethe.config.RootConfig.Strategy;
import dev.lethe.exec.StatusReport;
import dev.lethe.linux.MountInfo;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.model.Kind;
import dev.lethe.model.Method;
import dev.lethe.plan.Action;
import dev.lethe.plan.EntryState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;

/** The checks that need no parsing of their own: each a function of what {@link Survey} observed. */
public final class Checks {
    private Checks() {}

    /** Below this share of free space the archives' filesystem is reported (the next wipe adds an archive). */
    public static final int FREE_PERCENT_MIN = 10;
    /** Above this share of the filesystem taken by archives they are reported, even with room left. */
    public static final int ARCHIVES_PERCENT_MAX = 50;
    /** systemd's range for dynamic users (DynamicUser=), whose ids only its state in /var/lib/systemd keeps. */
    static final int DYNAMIC_FIRST = 61184;
    static final int DYNAMIC_LAST = 65519;
    /** The first id useradd gives a person (login.defs UID_MIN); 65534 is nobody, the same everywhere. */
    static final int FIRST_REGULAR = 1000;
    static final int NOBODY = 65534;
    static final AbsolutePath MACHINE_ID = AbsolutePath.of("/etc/machine-id");

    /**
     * What status does not call healthy: entries (a shadowed one already found by {@link #shadowed} is
     * not repeated), a failed initrd wipe, migration journals that cannot be read.
     */
    public static List<Finding> entriesNotActive(StatusReport report, Set<AbsolutePath> alreadyShadowed) {
        List<Finding> findings = new ArrayList<>();
        for (StatusReport.EntryStatus status : report.entries()) {
            AbsolutePath target = status.entry().target();
            if (status.state().healthy() || status.state() == EntryState.SHADOWED && alreadyShadowed.contains(target)) {
                continue;
            }
            String detail = status.actions().stream().filter(a -> a instanceof Action.Refuse)
                    .map(a -> ((Action.Refuse) a).reason()).findFirst()
                    .orElse(status.state() == EntryState.INTERRUPTED ? "a migration into the store was interrupted"
                            : "not in place; lethe apply would put it there");
            findings.add(new Finding.EntryNotActive(target, status.state().word(), detail));
        }
        report.wipeFailure().ifPresent(reason -> findings.add(new Finding.EntryNotActive(AbsolutePath.ROOT,
                EntryState.WIPE_FAILED.word(), "this boot's initrd wipe failed (" + reason + "): the machine runs on the "
                        + "old root, which was not forgotten")));
        report.journalProblems().forEach(problem -> findings.add(new Finding.EntryNotActive(problem.file(),
                EntryState.UNREADABLE.word(), problem.message())));
        return findings;
    }

    /**
     * Bind entries whose lethe mount is in the table but not what the target shows: the path is
     * resolved from the namespace's root through the mount tree, one name at a time, taking at each
     * mount point the mount stacked last on the one reached so far.
     */
    public static List<Finding> shadowed(String hostRoot, List<Entry> entries, MountInfo mounts) {
        List<Finding> findings = new ArrayList<>();
        for (Entry entry : entries) {
            if (entry.method() != Method.BIND) {
                continue;
            }
            String host = hostPath(hostRoot, entry.target());
            if (mounts.at(host).stream().noneMatch(m -> isBindOf(m, entry))) {
                continue;  // not mounted at all: status says so
            }
            MountInfo.Mount seen = visible(mounts, host);
            if (seen != null && !(seen.mountPoint().equals(host) && isBindOf(seen, entry))) {
                findings.add(new Finding.MountShadowed(entry.target(), onRoot(hostRoot, seen.mountPoint()),
                        seen.source() + " (" + seen.fsType() + ")"));
            }
        }
        return findings;
    }

    private static boolean isBindOf(MountInfo.Mount mount, Entry entry) {
        return mount.root().endsWith(entry.target().value());
    }

    /** The mount a lookup of {@code hostPath} ends in, or null if the table has no root mount. */
    static MountInfo.Mount visible(MountInfo mounts, String hostPath) {
        List<MountInfo.Mount> atRoot = mounts.at("/");
        MountInfo.Mount current = atRoot.stream()
                .filter(m -> atRoot.stream().noneMatch(other -> other.id() == m.parentId())).findFirst().orElse(null);
        if (current == null) {
            return null;
        }
        current = stackedOn(mounts, "/", current);
        StringBuilder prefix = new StringBuilder();
        for (String name : hostPath.substring(1).split("/")) {
            if (name.isEmpty()) {
                continue;
            }
            prefix.append('/').append(name);
            current = stackedOn(mounts, prefix.toString(), current);
        }
        return current;
    }

    private static MountInfo.Mount stackedOn(MountInfo mounts, String point, MountInfo.Mount below) {
        MountInfo.Mount current = below;
        while (true) {
            int parent = current.id();
            Optional<MountInfo.Mount> above = mounts.at(point).stream().filter(m -> m.parentId() == parent)
                    .reduce((first, second) -> second);
            if (above.isEmpty()) {
                return current;
            }
            current = above.get();
        }
    }

    /**
     * The machine-id and the SSH host keys on the root, when the strategy forgets the root and no
     * entry keeps them.
     */
    public static List<Finding> identity(Strategy strategy, List<Entry> entries, List<AbsolutePath> sshHostKeys) {
        List<Finding> findings = new ArrayList<>();
        if (strategy == Strategy.NONE) {
            return findings;
        }
        if (!covered(entries, MACHINE_ID)) {
            findings.add(new Finding.IdentityNotPersisted(MACHINE_ID, "each boot is a new machine to systemd: "
                    + "the journal of earlier boots is another machine's, and the DHCP identity changes"));
        }
        for (AbsolutePath key : sshHostKeys) {
            if (!covered(entries, key)) {
                findings.add(new Finding.IdentityNotPersisted(key, "sshd makes a new host key at each boot, and every "
                        + "client refuses or warns of a changed host key (a possible man in the middle)"));
            }
        }
        return findings;
    }

    /**
     * The owners found in one store: each id with one file that has it.
     *
     * @param uids id to an example path, in id order
     */
    public record Owners(AbsolutePath store, SortedMap<Integer, AbsolutePath> uids, SortedMap<Integer, AbsolutePath> gids) {}

    /**
     * Stores holding files of ids that only the forgotten root knows: systemd's dynamic users
     * (needing /var/lib/systemd), and people or groups (>= 1000, or not in the root's databases).
     */
    public static List<Finding> userDatabases(Strategy strategy, List<Entry> entries, List<Owners> stores,
                                              Set<Integer> passwdIds, Set<Integer> groupIds) {
        List<Finding> findings = new ArrayList<>();
        if (strategy == Strategy.NONE) {
            return findings;
        }
        boolean databases = covered(entries, AbsolutePath.of("/etc/passwd")) && covered(entries, AbsolutePath.of("/etc/group"));
        boolean dynamicState = covered(entries, AbsolutePath.of("/var/lib/systemd"));
        for (Owners owners : stores) {
            List<String> dynamic = new ArrayList<>();
            List<String> regular = new ArrayList<>();
            describe("uid", owners.uids(), passwdIds, dynamic, regular);
            describe("gid", owners.gids(), groupIds, dynamic, regular);
            if (!dynamic.isEmpty() && !dynamicState) {
                findings.add(new Finding.UserDatabaseNotPersisted(owners.store(),
                        List.of(AbsolutePath.of("/var/lib/systemd")), first(dynamic)));
            }
            if (!regular.isEmpty() && !databases) {
                findings.add(new Finding.UserDatabaseNotPersisted(owners.store(),
                        List.of(AbsolutePath.of("/etc/passwd"), AbsolutePath.of("/etc/group")), first(regular)));
            }
        }
        return findings;
    }

    private static void describe(String word, Map<Integer, AbsolutePath> ids, Set<Integer> known,
                                 List<String> dynamic, List<String> regular) {
        ids.forEach((id, example) -> {
            String text = word + " " + id + ", e.g. " + example;
            if (id >= DYNAMIC_FIRST && id <= DYNAMIC_LAST) {
                dynamic.add(text);
            } else if (id != NOBODY && (id >= FIRST_REGULAR || !known.contains(id))) {
                regular.add(text);
            }
        });
    }

    private static List<String> first(List<String> ids) {
        return ids.size() <= 5 ? ids : List.copyOf(ids.subList(0, 5));
    }

    /**
     * The archives' filesystem as statfs(2) saw it.
     *
     * @param archives bytes the archives take where the strategy knows it, else -1
     */
    public record DiskUsage(AbsolutePath path, long total, long free, long archives) {}

    /** Reported when free space is under {@link #FREE_PERCENT_MIN} % or archives take over {@link #ARCHIVES_PERCENT_MAX} %. */
    public static List<Finding> disk(Optional<DiskUsage> usage) {
        if (usage.isEmpty() || usage.get().total() <= 0) {
            return List.of();
        }
        DiskUsage u = usage.get();
        boolean full = u.free() * 100 < u.total() * FREE_PERCENT_MIN;
        boolean mostlyArchives = u.archives() >= 0 && u.archives() * 100 > u.total() * ARCHIVES_PERCENT_MAX;
        return full || mostlyArchives ? List.of(new Finding.ArchivesFillingDisk(u.path(), u.total(), u.free(), u.archives()))
                : List.of();
    }

    /** Whether an entry keeps this path: the entry itself, or a directory entry above it. */
    static boolean covered(List<Entry> entries, AbsolutePath path) {
        return entries.stream().anyMatch(e -> e.target().equals(path)
                || e.kind() == Kind.DIRECTORY && path.startsWith(e.target()));
    }

    static String hostPath(String hostRoot, AbsolutePath path) {
        return hostRoot.equals("/") ? path.value() : hostRoot + path.value();
    }

    private static AbsolutePath onRoot(String hostRoot, String hostMountPoint) {
        if (hostRoot.equals("/")) {
            return AbsolutePath.of(hostMountPoint);
        }
        return hostMountPoint.startsWith(hostRoot + "/") ? AbsolutePath.of(hostMountPoint.substring(hostRoot.length()))
                : AbsolutePath.ROOT;
    }
}
