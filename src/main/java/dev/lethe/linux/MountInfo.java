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

    /**
     * Parses the table by walking each line's spaces once: no array of fields, no substring for a
     * field that is not kept. A boot reads the table again after mounting every entry (a thousand
     * lines on a machine with a thousand entries), in code the interpreter runs.
     */
    public static MountInfo parse(String text) {
        List<Mount> mounts = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int lineEnd = text.indexOf('\n', at);
            if (lineEnd < 0) {
                lineEnd = text.length();
            }
            if (!isBlank(text, at, lineEnd)) {
                mounts.add(parseLine(text, at, lineEnd));
            }
            at = lineEnd + 1;
        }
        return new MountInfo(List.copyOf(mounts));
    }

    /**
     * One line: {@code id parent major:minor root mount-point options [optional fields...] -
     * fstype source super-options} (proc(5)).
     */
    private static Mount parseLine(String text, int from, int to) {
        int idEnd = fieldEnd(text, from, to);
        int parentEnd = fieldEnd(text, idEnd + 1, to);
        int deviceEnd = fieldEnd(text, parentEnd + 1, to);
        int rootEnd = fieldEnd(text, deviceEnd + 1, to);
        int mountPointEnd = fieldEnd(text, rootEnd + 1, to);
        int optionsEnd = fieldEnd(text, mountPointEnd + 1, to);
        if (rootEnd >= to) {
            throw new IllegalArgumentException("a mountinfo line without a mount point: " + text.substring(from, to));
        }
        int colon = text.indexOf(':', parentEnd + 1);
        if (colon < 0 || colon > deviceEnd) {
            throw new IllegalArgumentException("a mountinfo line without major:minor: " + text.substring(from, to));
        }
        long device = Stat.makedev(number(text, parentEnd + 1, colon), number(text, colon + 1, deviceEnd));
        // The optional fields end at a field that is exactly "-".
        String fsType = "";
        String source = "";
        int field = optionsEnd + 1;
        while (field < to) {
            int fieldEnd = fieldEnd(text, field, to);
            if (fieldEnd == field + 1 && text.charAt(field) == '-') {
                int fsTypeEnd = fieldEnd(text, fieldEnd + 1, to);
                if (fieldEnd + 1 < to) {
                    fsType = text.substring(fieldEnd + 1, fsTypeEnd);
                    if (fsTypeEnd + 1 < to) {
                        source = unescape(text.substring(fsTypeEnd + 1, fieldEnd(text, fsTypeEnd + 1, to)));
                    }
                }
                break;
            }
            field = fieldEnd + 1;
        }
        return new Mount((int) number(text, from, idEnd), (int) number(text, idEnd + 1, parentEnd), device,
                unescape(text.substring(deviceEnd + 1, rootEnd)), unescape(text.substring(rootEnd + 1, mountPointEnd)),
                fsType, source);
    }

    /** Where the field starting at {@code from} ends: the next space, or the line's end. */
    private static int fieldEnd(String text, int from, int to) {
        int space = text.indexOf(' ', from);
        return space < 0 || space > to ? to : space;
    }

    private static long number(String text, int from, int to) {
        if (from >= to) {
            throw new IllegalArgumentException("an empty number in a mountinfo line");
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9' || value > Long.MAX_VALUE / 10) {
                throw new IllegalArgumentException("not a number in a mountinfo line: " + text.substring(from, to));
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isBlank(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                return false;
            }
        }
        return true;
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
        // Compared in place: asked for every mount of the table, at each store of every apply.
        return ancestor.equals("/") || path.equals(ancestor)
                || path.length() > ancestor.length() && path.startsWith(ancestor) && path.charAt(ancestor.length()) == '/';
    }
}
