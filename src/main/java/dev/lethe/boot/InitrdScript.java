package dev.lethe.boot;

import dev.lethe.config.Config;
import dev.lethe.config.RootConfig;
import dev.lethe.model.Entry;
import dev.lethe.model.Kind;
import dev.lethe.model.Method;
import dev.lethe.model.Mode;
import dev.lethe.model.Principal;
import dev.lethe.model.Stage;
import java.util.List;

/**
 * The initrd stage as one POSIX shell script with every value from the config baked in: no JVM, no
 * config parsing at boot, only the tools a klibc initramfs has plus {@code btrfs}, {@code date} and
 * {@code cmp}. {@code lethe-initrd wipe} runs before the root is mounted; {@code lethe-initrd entries
 * ROOTMNT} after it is mounted (read-only) and before it becomes /.
 */
public final class InitrdScript {
    private InitrdScript() {}

    /** Where the installed root keeps the script; the initramfs generators copy it from there. */
    public static final String PATH = "/usr/lib/lethe/initrd/lethe-initrd";
    /** Where the script is inside the initramfs. */
    public static final String IN_INITRD = "/usr/sbin/lethe-initrd";

    /** The tools the script calls beyond a klibc initramfs's own (sh, mount, mkdir, mv, sync, cat). */
    public static List<String> tools(RootConfig root) {
        return root.strategy() == RootConfig.Strategy.BTRFS ? List.of("btrfs", "date", "cmp") : List.of("cmp");
    }

    /** Whether this strategy's wipe can run in the initrd yet. */
    public static boolean supports(RootConfig.Strategy strategy) {
        return strategy == RootConfig.Strategy.BTRFS || strategy == RootConfig.Strategy.NONE;
    }

    public static String render(Config config) {
        RootConfig root = config.root();
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/sh\n");
        s.append("# lethe's initrd stage, rendered by `lethe install` from ").append(config.file()).append(".\n");
        s.append("# Do not edit: run `lethe install` again after changing the config.\n");
        s.append("#   lethe-initrd wipe           archive the old root, make a fresh one (before the root is mounted)\n");
        s.append("#   lethe-initrd entries ROOT   the stage = \"initrd\" entries, under the mounted new root\n");
        s.append("set -f\n\n");
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
                s.append(Shell.fragment("wipe-btrfs.sh"));
            }
            case RootConfig.None _ -> s.append("lethe_wipe() { lethe_say \"strategy none (adoption mode): nothing to wipe\"; }\n");
            case RootConfig.Zfs _, RootConfig.Overlay _, RootConfig.Tmpfs _ -> throw new IllegalArgumentException(
                    "the initrd wipe for strategy " + root.strategy() + " is not rendered yet");
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
                    entries) lethe_disabled || lethe_entries "${2:?usage: lethe-initrd entries ROOTMNT}" ;;
                    *) echo "usage: lethe-initrd wipe | entries ROOTMNT" >&2; exit 2 ;;
                esac
                """);
        return s.toString();
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
