package dev.lethe.boot;

import dev.lethe.config.Config;
import dev.lethe.config.RootConfig;
import dev.lethe.model.Entry;
import dev.lethe.model.Kind;
import dev.lethe.model.LetheFiles;
import dev.lethe.model.Method;
import dev.lethe.model.Mode;
import dev.lethe.model.Principal;
import dev.lethe.model.Stage;
import dev.lethe.root.btrfs.BtrfsWipePlanner;
import dev.lethe.root.btrfs.Names;
import dev.lethe.root.btrfs.Situation;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The initrd stage as one POSIX shell script with every value from the config baked in: no JVM, no
 * config parsing at boot, only the tools a klibc initramfs has plus those {@link #tools} names.
 * {@code lethe-initrd wipe} runs before the root is mounted (btrfs, zfs); {@code lethe-initrd mount
 * ROOTMNT} after it is mounted (read-only): for overlay and tmpfs it wipes the upper and mounts the
 * overlay at ROOTMNT over the real root; {@code lethe-initrd entries ROOTMNT} then, before ROOTMNT
 * becomes /.
 */
public final class InitrdScript {
    private InitrdScript() {}

    /** Where the installed root keeps the script; the initramfs generators copy it from there. */
    public static final String PATH = "/usr/lib/lethe/initrd/lethe-initrd";
    /** Where the script is inside the initramfs. */
    public static final String IN_INITRD = "/usr/sbin/lethe-initrd";

    /** The tools the script calls beyond a klibc initramfs's own (sh, mount, mkdir, mv, ln, readlink, sync, cat, sleep). */
    public static List<String> tools(RootConfig root) {
        return switch (root.strategy()) {
            case BTRFS -> List.of("btrfs", "date", "cmp");
            case OVERLAY -> List.of("date", "stat", "chown", "chmod", "rm", "cmp");
            case TMPFS -> List.of("stat", "chown", "chmod", "cmp");
            case ZFS -> List.of("zfs", "zpool", "date", "cmp");
            case NONE -> List.of("cmp");
        };
    }

    /**
     * Where the initramfs gets the tools that must be GNU coreutils' though klibc has one of that name
     * ({@code mv -T}, which renames over a symlink to a directory instead of moving into it), and the
     * script looks first: apart from klibc's, so neither replaces the other.
     */
    public static final String PRIVATE_BIN = "/usr/lib/lethe/bin";

    /** The tools copied to {@link #PRIVATE_BIN}. */
    public static List<String> privateTools(RootConfig root) {
        return root.strategy() == RootConfig.Strategy.OVERLAY ? List.of("mv") : List.of();
    }

    /** Whether the root is an overlay the initrd mounts over the real root (overlay and tmpfs). */
    public static boolean overlayRoot(RootConfig.Strategy strategy) {
        return strategy == RootConfig.Strategy.OVERLAY || strategy == RootConfig.Strategy.TMPFS;
    }

    public static String render(Config config) {
        RootConfig root = config.root();
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/sh\n");
        // The config's path goes into a comment: a newline in it must not start a command.
        s.append("# lethe's initrd stage, rendered by `lethe install` from ")
                .append(config.file().replaceAll("\\p{Cntrl}", "?")).append(".\n");
        s.append("# Do not edit: run `lethe install` again after changing the config.\n");
        s.append("#   lethe-initrd wipe           archive the old root, make a fresh one (before the root is mounted)\n");
        s.append("#   lethe-initrd mount ROOT     overlay, tmpfs: the overlay over the real root mounted at ROOT\n");
        s.append("#   lethe-initrd entries ROOT   the stage = \"initrd\" entries, under the mounted new root\n");
        s.append("set -f\n");
        s.append("PATH=").append(PRIVATE_BIN).append(":$PATH\n\n");
        s.append(Shell.fragment("common.sh")).append('\n');
        switch (root) {
            case RootConfig.Btrfs btrfs -> {
                String subvolume = btrfs.subvolume();  // without a leading slash: the config normalised it
                s.append("lethe_device=").append(Shell.quote(btrfs.device())).append('\n');
                s.append("lethe_root=").append(Shell.quote(subvolume)).append('\n');
                s.append("lethe_base=").append(Shell.quote(subvolume.substring(subvolume.lastIndexOf('/') + 1))).append('\n');
                s.append("lethe_blank=").append(Shell.quote(btrfs.blank())).append('\n');
                s.append("lethe_top=${LETHE_TOP:-/run/lethe/top}\n");
                s.append("lethe_archives_name=").append(RootConfig.ARCHIVES).append('\n');
                s.append("lethe_archives=$lethe_top/$lethe_archives_name\n");
                s.append("lethe_registry=$lethe_archives/.lethe-registry\n\n");
                s.append(Shell.fragment("wipe-btrfs.sh")).append('\n');
                s.append(btrfsWipeSteps(new Names(btrfs.device(), subvolume, btrfs.blank())));
            }
            case RootConfig.None _ -> s.append("lethe_wipe() { lethe_say \"strategy none (adoption mode): nothing to wipe\"; }\n");
            case RootConfig.Zfs zfs -> s.append(ZfsWipeScript.render(zfs));
            case RootConfig.Overlay overlay -> overlay(overlay, s);
            case RootConfig.Tmpfs _ -> tmpfs(s);
        }
        if (!overlayRoot(root.strategy())) {
            s.append("lethe_mount_root() { :; }  # the root is used as mounted\n");
        }
        s.append('\n').append(Shell.fragment("entries.sh")).append('\n');
        s.append("lethe_entries() {\n");
        List<Entry> initrd = config.entries().stream().filter(e -> e.stage() == Stage.INITRD).toList();
        if (initrd.isEmpty()) {
            s.append("    :\n");
        }
        for (var store : initrd.stream().map(Entry::store).distinct().toList()) {
            s.append("    if lethe_mount_store \"$1\" ").append(Shell.quote(store.value())).append("; then\n");
            for (Entry entry : initrd) {
                if (entry.store().equals(store)) {
                    s.append("        ").append(call(entry)).append('\n');
                }
            }
            s.append("    fi\n");
        }
        s.append("}\n\n");
        s.append("""
                case "${1:-}" in
                    wipe) lethe_disabled || lethe_wipe ;;
                    mount) lethe_disabled || lethe_mount_root "${2:?usage: lethe-initrd mount ROOTMNT}" ;;
                    entries) lethe_disabled || lethe_entries "${2:?usage: lethe-initrd entries ROOTMNT}" ;;
                    *) echo "usage: lethe-initrd wipe | mount ROOTMNT | entries ROOTMNT" >&2; exit 2 ;;
                esac
                """);
        return s.toString();
    }

    /** The boot-time variables the btrfs steps are planned with; wipe-btrfs.sh sets them before it calls the steps. */
    static final Set<String> BTRFS_VARIABLES = Set.of("archive", "root_uuid", "root_id", "stale", "name", "created");

    /**
     * The btrfs wipe's actions, one shell function per situation that wipe-btrfs.sh observes, each
     * rendered from the steps the Java planner returns for that situation, with the script's
     * variables in place of what is only known at boot. An ordinary wipe depends on three facts
     * read at boot (the archives' directory exists, a stale record, degraded): one branch each.
     */
    static String btrfsWipeSteps(Names names) {
        for (String value : List.of(names.device(), names.subvolume(), names.blank())) {
            if (value.contains("${")) {
                throw new IllegalArgumentException("[root] value \"" + value + "\" contains \"${\", which the"
                        + " initrd script reserves for its variables: rename it");
            }
        }
        StringBuilder s = new StringBuilder();
        s.append("# Rendered from the Java planner (root/btrfs/BtrfsWipePlanner), one function per situation.\n");
        function(s, "lethe_wipe_fresh", names, new Situation.AlreadyFresh());
        function(s, "lethe_wipe_renamed", names, new Situation.RenamedNotRecreated("${archive}"));
        s.append("lethe_wipe_ordinary() {\n");
        s.append("    case \"$have_archives $has_stale $degraded\" in\n");
        for (boolean archives : List.of(false, true)) {
            // The registry lives in the archives' directory: without it there is no record to be stale.
            for (boolean stale : archives ? List.of(false, true) : List.of(false)) {
                for (boolean degraded : List.of(false, true)) {
                    Situation ordinary = new Situation.Ordinary("${root_uuid}", "${root_id}", archives,
                            stale ? Optional.of("${stale}") : Optional.empty(), "${name}", "${created}", degraded);
                    s.append("        '").append(archives).append(' ').append(stale).append(' ').append(degraded).append("')\n");
                    ShellSteps.render(BtrfsWipePlanner.steps(names, ordinary), BTRFS_VARIABLES, "            ")
                            .forEach(line -> s.append(line).append('\n'));
                    s.append("            ;;\n");
                }
            }
        }
        s.append("        *) lethe_fail \"no plan for the situation $have_archives $has_stale $degraded\" ;;\n");
        s.append("    esac\n}\n");
        return s.toString();
    }

    private static void function(StringBuilder s, String name, Names names, Situation situation) {
        s.append(name).append("() {\n");
        ShellSteps.render(BtrfsWipePlanner.steps(names, situation), BTRFS_VARIABLES, "    ")
                .forEach(line -> s.append(line).append('\n'));
        s.append("}\n");
    }

    /** Where the script keeps its mounts: the initrd's /run becomes the new root's /run, so they stay visible there. */
    private static void run(StringBuilder s) {
        s.append("lethe_run=${LETHE_RUN:-").append(LetheFiles.RUN.value()).append("}\n");
    }

    /**
     * Overlay: after the real root is mounted, the upper's filesystem is mounted, the wipe makes the
     * next boot directory exactly as the Java wipe does, and the overlay is mounted over the real root.
     */
    private static void overlay(RootConfig.Overlay root, StringBuilder s) {
        run(s);
        s.append("lethe_upper=").append(Shell.quote(root.upper().value())).append('\n');
        s.append("lethe_wipe() { lethe_say \"strategy overlay: the wipe runs once the real root is mounted\"; }\n\n");
        s.append(Shell.fragment("mount-overlay.sh")).append('\n');
        s.append(Shell.fragment("wipe-overlay.sh")).append('\n');
        s.append("""
                lethe_mount_root() {
                    lethe_overlay_mount_upper_fs "$1"
                    lethe_overlay_wipe "$1"
                    lethe_overlay_state
                    lethe_overlay_root "$1" "$lethe_up/boots/$current/upper" "$lethe_up/boots/$current/work"
                    lethe_overlay_bind_upper_fs "$1"
                    lethe_say "the root is an overlay: the real root read-only under boots/$current/upper of $lethe_upper"
                }
                """);
    }

    /** tmpfs: the overlay over the real root with an upper in RAM, which the power forgets; nothing is archived. */
    private static void tmpfs(StringBuilder s) {
        run(s);
        s.append("lethe_wipe() { lethe_say \"strategy tmpfs: the root forgets at power-off, nothing to wipe\"; }\n\n");
        s.append(Shell.fragment("mount-overlay.sh")).append('\n');
        s.append("""
                lethe_mount_root() {
                    lethe_tmpfs=$lethe_run/tmpfs
                    mkdir -p "$lethe_tmpfs" || lethe_fail "cannot make $lethe_tmpfs"
                    if ! lethe_is_mountpoint "$lethe_tmpfs"; then
                        lethe_step "mount a tmpfs at $lethe_tmpfs for the root's upper layer"
                        mount -t tmpfs -o mode=0700 lethe-root "$lethe_tmpfs" || lethe_fail "cannot mount a tmpfs at $lethe_tmpfs"
                    fi
                    mkdir -p "$lethe_tmpfs/upper" "$lethe_tmpfs/work" || lethe_fail "cannot make the upper in $lethe_tmpfs"
                    chown "$(stat -c %u:%g "$1/")" "$lethe_tmpfs/upper" && chmod "$(stat -c %a "$1/")" "$lethe_tmpfs/upper" \\
                        || lethe_fail "cannot give $lethe_tmpfs/upper the owner and mode of the real root's top directory"
                    lethe_overlay_root "$1" "$lethe_tmpfs/upper" "$lethe_tmpfs/work"
                    lethe_say "the root is an overlay with its upper in RAM: what this boot writes is gone at power-off"
                }
                """);
    }

    /** The call that puts one entry in place, or a note that apply does it (symlinks need a writable root). */
    private static String call(Entry entry) {
        String store = Shell.quote(entry.store().value());
        String path = Shell.quote(entry.target().value());
        if (entry.method() == Method.SYMLINK) {
            return "lethe_say " + Shell.quote(entry.target() + ": a symlink entry, made by lethe apply") + " # the root is read-only here";
        }
        Mode mode = entry.attributes().mode().orElse(entry.kind() == Kind.DIRECTORY ? Mode.DIRECTORY_DEFAULT : Mode.FILE_DEFAULT);
        boolean rootOwned = entry.attributes().owner().map(Principal::id).orElse(0) == 0
                && entry.attributes().group().map(Principal::id).orElse(0) == 0
                && entry.home().isEmpty();
        // Created here only when root owns it: a klibc initramfs has no chown. Others wait for apply.
        String umask = rootOwned ? Shell.quote(String.format("%04o", 0777 & ~mode.bits())) : "''";
        String function = entry.kind() == Kind.DIRECTORY ? "lethe_directory" : "lethe_file";
        return function + " \"$1\" " + store + " " + path + " " + umask;
    }
}
