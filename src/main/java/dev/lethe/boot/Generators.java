package dev.lethe.boot;

import dev.lethe.config.RootConfig;
import java.util.stream.Collectors;

/**
 * The initrd stage wired into the two initramfs generators: initramfs-tools (Debian and Ubuntu's
 * default) and dracut (Fedora, Arch, Debian's dracut package), whose systemd initrd runs units.
 */
public final class Generators {
    private Generators() {}

    public static final String HOOK = "/etc/initramfs-tools/hooks/lethe";
    public static final String PREMOUNT = "/etc/initramfs-tools/scripts/local-premount/lethe";
    public static final String BOTTOM = "/etc/initramfs-tools/scripts/local-bottom/lethe";
    public static final String DRACUT_MODULE = "/usr/lib/dracut/modules.d/90lethe";

    private static final String PREREQS = """
            PREREQ="%s"
            prereqs() { echo "$PREREQ"; }
            case "${1:-}" in prereqs) prereqs; exit 0 ;; esac
            """;

    /** Copies the script and the tools it needs into the initramfs. */
    public static String hook(RootConfig root) {
        String tools = InitrdScript.tools(root).stream()
                .map(tool -> "copy_exec \"$(command -v " + tool + ")\" /usr/bin/" + tool)
                .collect(Collectors.joining("\n"));
        return "#!/bin/sh\n# lethe: its initrd stage in the initramfs. Rendered by lethe install; do not edit.\n"
                + PREREQS.formatted("") + ". /usr/share/initramfs-tools/hook-functions\n"
                + "copy_file script " + InitrdScript.PATH + " " + InitrdScript.IN_INITRD + "\n"
                + tools + "\n"
                + privateTools(root)
                + (root.strategy() == RootConfig.Strategy.BTRFS ? "manual_add_modules btrfs\n" : "")
                + (InitrdScript.overlayRoot(root.strategy()) ? "manual_add_modules overlay\n" : "");
    }

    /** GNU tools klibc has a lesser namesake of, apart from it (see {@link InitrdScript#PRIVATE_BIN}). */
    private static String privateTools(RootConfig root) {
        return InitrdScript.privateTools(root).stream()
                .map(tool -> "copy_exec \"$(command -v " + tool + ")\" " + InitrdScript.PRIVATE_BIN + "/" + tool + "\n")
                .collect(Collectors.joining());
    }

    /**
     * Before the root is mounted: the wipe, after btrfs-progs' own device scan and after resume from
     * hibernation (initramfs-tools orders local-premount scripts by name otherwise, and "lethe" comes
     * before "resume": a wipe then would rename the root under a hibernated kernel that still has it
     * mounted). A prerequisite that is not in the initramfs is skipped by initramfs-tools.
     */
    public static String premount() {
        return "#!/bin/sh\n# lethe: the wipe, before the root is mounted. Rendered by lethe install; do not edit.\n"
                + PREREQS.formatted("btrfs resume") + InitrdScript.IN_INITRD + " wipe\nexit 0\n";
    }

    /**
     * After the root is mounted at ${rootmnt}: the overlay over it (overlay, tmpfs; nothing for the
     * others), then the initrd-stage entries under the new root. The entries run even if the overlay
     * failed: the root is then the real one, as it would boot without lethe.
     */
    public static String bottom() {
        return "#!/bin/sh\n# lethe: the root's overlay and the initrd-stage entries under the new root. Rendered by lethe "
                + "install; do not edit.\n" + PREREQS.formatted("")
                + InitrdScript.IN_INITRD + " mount \"${rootmnt:-/root}\"\n"
                + InitrdScript.IN_INITRD + " entries \"${rootmnt:-/root}\"\nexit 0\n";
    }

    /** dracut's module-setup.sh: the script, its tools and the two initrd units. */
    public static String dracutModuleSetup(RootConfig root) {
        return """
                #!/bin/bash
                # lethe: its initrd stage in a dracut initramfs. Rendered by lethe install; do not edit.
                check() { return 0; }
                depends() { echo %s; }
                installkernel() { %s }
                install() {
                    inst_simple %s %s
                    inst_multiple %s mount umount mkdir mv sync cat sleep
                    inst_simple "$moddir/%s" "$systemdsystemunitdir/%s"
                    inst_simple "$moddir/%s" "$systemdsystemunitdir/%s"
                    mkdir -p "$initdir$systemdsystemunitdir/initrd.target.wants"
                    ln_r "$systemdsystemunitdir/%s" "$systemdsystemunitdir/initrd.target.wants/%s"
                    ln_r "$systemdsystemunitdir/%s" "$systemdsystemunitdir/initrd.target.wants/%s"
                }
                """.formatted(root.strategy() == RootConfig.Strategy.ZFS ? "systemd zfs" : "systemd",
                // A host-only image has no overlay module unless the running root already used it.
                InitrdScript.overlayRoot(root.strategy()) ? "hostonly='' instmods overlay;" : ":;", InitrdScript.PATH, InitrdScript.IN_INITRD, String.join(" ", InitrdScript.tools(root)),
                Units.INITRD_WIPE, Units.INITRD_WIPE, Units.INITRD_ENTRIES, Units.INITRD_ENTRIES,
                Units.INITRD_WIPE, Units.INITRD_WIPE, Units.INITRD_ENTRIES, Units.INITRD_ENTRIES);
    }
}
