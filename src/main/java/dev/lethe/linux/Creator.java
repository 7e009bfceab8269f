package dev.lethe.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the kernel gives a directory this process makes, before any chown or chmod: the process's
 * umask takes bits from the mode, and the owner and group are its filesystem uid and gid. Read from
 * {@code /proc/self/status} (the Umask line since Linux 4.7), once, when a creation needs it.
 *
 * @param umask -1 when it cannot be known: then nothing is made in one step
 */
record Creator(int umask, int fsuid, int fsgid) {

    static final Creator UNKNOWN = new Creator(-1, -1, -1);

    /** True if mkdir alone makes a root-owned directory with exactly {@code mode}, parents' rules aside. */
    boolean makesRootOwned(int mode) {
        return umask >= 0 && fsuid == 0 && fsgid == 0 && (mode & ~01777) == 0 && (mode & umask) == 0;
    }

    static Creator ofThisProcess() {
        try {
            return parse(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    /** The Umask line, and the fourth (filesystem) ids of the Uid and Gid lines; {@link #UNKNOWN} if any is missing. */
    static Creator parse(String status) {
        String umask = line(status, "Umask:");
        String uids = line(status, "Uid:");
        String gids = line(status, "Gid:");
        if (umask == null || uids == null || gids == null) {
            return UNKNOWN;
        }
        // Tab-separated: a one-character separator splits without a regular expression.
        String[] uid = uids.split("\t");
        String[] gid = gids.split("\t");
        if (uid.length != 4 || gid.length != 4) {
            return UNKNOWN;
        }
        try {
            return new Creator(Integer.parseInt(umask, 8), Integer.parseInt(uid[3]), Integer.parseInt(gid[3]));
        } catch (NumberFormatException e) {
            return UNKNOWN;
        }
    }

    private static String line(String status, String key) {
        int at = status.startsWith(key) ? 0 : status.indexOf("\n" + key);
        if (at < 0) {
            return null;
        }
        int start = at == 0 ? key.length() : at + 1 + key.length();
        int end = status.indexOf('\n', start);
        return status.substring(start, end < 0 ? status.length() : end).strip();
    }
}
