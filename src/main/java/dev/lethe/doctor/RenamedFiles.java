package dev.lethe.doctor;

import dev.lethe.model.Entry;
import dev.lethe.model.Kind;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Files whose programs replace them by writing a new file and renaming it over the old one. A
 * bind-mounted file is a mount point, and rename(2) onto a mount point fails with EBUSY, so the
 * program fails; a symbolic link is replaced by the new file, so the store's copy is left behind and
 * the change is lost at the next boot. Such a file is persisted with its directory, or kept in the
 * blank root. The list is of well-known programs; docs/commands.md gives it with the reasons.
 */
public final class RenamedFiles {
    private RenamedFiles() {}

    /** A glob of files, who replaces them by rename, and what to do instead. */
    record Known(String glob, String program, String instead) {}

    private static final String USERS = "shadow-utils (useradd, usermod, passwd, chpasswd, groupadd) and systemd-sysusers "
            + "write NAME+ and rename it";
    private static final String USERS_INSTEAD = "forget it, and create users and groups in the blank root as well "
            + "(or manage them declaratively); the database cannot be a persisted file";

    static final List<Known> KNOWN = List.of(
            new Known("/etc/{passwd,shadow,group,gshadow,subuid,subgid}", USERS, USERS_INSTEAD),
            new Known("/etc/resolv.conf", "systemd-resolved, NetworkManager and resolvconf (a new file, or a link)",
                    "forget it: the resolver writes it at every boot; persist the resolver's own configuration instead"),
            new Known("/etc/{hostname,locale.conf,vconsole.conf,machine-info,localtime}",
                    "systemd's hostnamectl, localectl and timedatectl (an atomic write, or a new link for localtime)",
                    "forget it and set the value in the blank root, or persist nothing and re-apply it at boot"),
            new Known("/var/lib/apt/lists/*", "apt (downloads into lists/partial, then renames)",
                    "persist the directory /var/lib/apt/lists"),
            new Known("/var/lib/dpkg/*", "dpkg (writes status-new and the like, then renames)",
                    "persist none of it: dpkg's database must match the installed files, which live on the root"),
            new Known("/var/spool/cron/crontabs/*", "crontab -e (writes a temporary file and renames it)",
                    "persist the directory /var/spool/cron"),
            new Known("/etc/NetworkManager/system-connections/*", "NetworkManager (g_file_set_contents: write, rename)",
                    "persist the directory /etc/NetworkManager/system-connections"),
            new Known("/etc/sudoers", "visudo (edits a copy and renames it)", "forget it and edit the blank root's, "
                    + "or put rules in files of a persisted /etc/sudoers.d"));

    /** A finding for each file entry (bound or linked) that a known program replaces by rename. */
    public static List<Finding> check(List<Entry> entries) {
        List<Finding> findings = new ArrayList<>();
        for (Entry entry : entries) {
            if (entry.kind() != Kind.FILE) {
                continue;
            }
            for (Known known : KNOWN) {
                if (FileSystems.getDefault().getPathMatcher("glob:" + known.glob()).matches(Path.of(entry.target().value()))) {
                    findings.add(new Finding.FileReplacedByRename(entry.target(), known.program(), known.instead()));
                    break;
                }
            }
        }
        return findings;
    }
}
