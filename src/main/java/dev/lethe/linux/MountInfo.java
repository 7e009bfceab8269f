package dev.lethe.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The mount table of this process's mount namespace, from /proc/self/mountinfo (proc(5)). */
public record MountInfo(List<Mount> mounts, java.util.Map<String, List<Mount>> byMountPoint) {

    /** The table, with an index by mount point: a machine with thousands of lethe mounts asks per entry. */
    public MountInfo(List<Mount> mounts) {
        this(mounts, index(mounts));
    }

    private static java.util.Map<String, List<Mount>> index(List<Mount> mounts) {
        java.util.Map<String, List<Mount>> byMountPoint = new java.util.HashMap<>();
        for (Mount mount : mounts) {
            byMountPoint.computeIfAbsent(mount.mountPoint(), k -> new ArrayList<>()).add(mount);
        }
        return byMountPoint;
    }

    /**
     * One line of mountinfo.
     *
     * @param root       the directory of the filesystem that is mounted ("/" or, for a bind mount, a subdirectory)
     * @param mountPoint where it is mounted, in this namespace
     */
    public record Mount(int id, int parentId, long device, String root, String mountPoint, String fsType, String source) {}

    public static MountInfo read() throws IOException {
        return parse(Files.readString(Path.of("/proc/self/mountinfo")));
    }

    public static MountInfo parse(String text) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(" ");
            int dash = 6;
            while (dash < f.length && !f[dash].equals("-")) {
                dash++;
            }
            String[] majorMinor = f[2].split(":");
            long device = Stat.makedev(Long.parseLong(majorMinor[0]), Long.parseLong(majorMinor[1]));
            mounts.add(new Mount(Integer.parseInt(f[0]), Integer.parseInt(f[1]), device,
                    unescape(f[3]), unescape(f[4]), dash + 1 < f.length ? f[dash + 1] : "",
                    dash + 2 < f.length ? unescape(f[dash + 2]) : ""));
        }
        return new MountInfo(List.copyOf(mounts));
    }

    /** The kernel writes space, tab, newline and backslash in paths as \040, \011, \012, \134. */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }

    /** The mount that a path lies in: the last-mounted one whose mount point is the longest prefix. */
    public Mount containing(String hostPath) {
        Mount best = null;
        for (Mount m : mounts) {
            if (isUnder(hostPath, m.mountPoint())
                    && (best == null || m.mountPoint().length() >= best.mountPoint().length())) {
                best = m;
            }
        }
        return best;
    }

    /** The mounts on exactly this mount point, in the table's order (each later one on top of the earlier). */
    public List<Mount> at(String hostPath) {
        return byMountPoint.getOrDefault(hostPath, List.of());
    }

    /** The topmost mount on exactly this mount point, or null. */
    public Mount topmostAt(String hostPath) {
        List<Mount> here = at(hostPath);
        return here.isEmpty() ? null : here.getLast();
    }

    public static boolean isUnder(String path, String ancestor) {
        return ancestor.equals("/") || path.equals(ancestor) || path.startsWith(ancestor + "/");
    }
}
