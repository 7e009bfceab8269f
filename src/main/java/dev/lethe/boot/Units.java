package dev.lethe.boot;

import dev.lethe.config.Config;
import dev.lethe.config.RootConfig;
import dev.lethe.config.StoreConfig;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The systemd units lethe installs, on the root and in a dracut (systemd) initrd. */
public final class Units {
    private Units() {}

    public static final String ACTIVATE = "lethe-activate.service";
    public static final String CAPTURE = "lethe-capture.service";
    public static final String PRUNE = "lethe-prune.service";
    public static final String PRUNE_TIMER = "lethe-prune.timer";
    public static final String INITRD_WIPE = "lethe-wipe.service";
    public static final String INITRD_ENTRIES = "lethe-initrd-entries.service";

    /**
     * The system stage: every entry in place before any service starts. Ordered after the stores
     * and the filesystems the targets live on, before local-fs.target (so nothing that waits for the
     * local filesystems sees a target without its data), tmpfiles and the journal's flush to
     * /var/log. Wanted, never required: a failure is loud (a failed unit, the journal, the missing
     * activation mark that makes the next wipe keep this root) but does not stop the boot.
     */
    public static String activate(Config config) {
        Set<String> paths = new LinkedHashSet<>();
        config.stores().stream().map(StoreConfig::path).map(AbsolutePath::value).forEach(paths::add);
        config.entries().stream().map(Entry::target).map(AbsolutePath::parent).map(AbsolutePath::value).sorted()
                .forEach(paths::add);
        return """
                # Rendered by lethe install; do not edit (run lethe install again after changing the config).
                [Unit]
                Description=lethe: put the persisted paths in place
                DefaultDependencies=no
                RequiresMountsFor=%s
                After=systemd-remount-fs.service
                Before=local-fs.target sysinit.target systemd-tmpfiles-setup.service systemd-journal-flush.service
                Before=systemd-machine-id-commit.service shutdown.target
                Conflicts=shutdown.target
                ConditionKernelCommandLine=!lethe=off

                [Service]
                Type=oneshot
                RemainAfterExit=yes
                ExecStart=/usr/sbin/lethe apply --boot system%s
                StandardOutput=journal+console

                [Install]
                WantedBy=local-fs.target
                """.formatted(String.join(" ", paths), cacheIn(config));
    }

    /**
     * Where the boot finds the config's cache: the first store, named here because the stores' paths
     * are in the config the boot would rather not parse. Left out for a path systemd would expand or
     * split ({@code %}, {@code $}, spaces, quotes): that boot parses the config, as correct and slower.
     */
    static String cacheIn(Config config) {
        return config.stores().stream().map(s -> s.path().value()).findFirst()
                .filter(path -> path.matches("[A-Za-z0-9/._+@-]+"))
                .map(path -> " --cache-in " + path).orElse("");
    }

    /**
     * Files no program had made when the system stage ran (an SSH host key made at the first boot)
     * reach the store once the machine is up, and again at shutdown, before the root is forgotten.
     * Both runs take the config from the boot's cache ({@link #cacheIn}): half the CPU of a run that
     * builds picocli's model and parses the TOML, paid twice per boot.
     */
    public static String capture(Config config) {
        String stores = storePaths(config);
        String cache = cacheIn(config);
        return """
                # Rendered by lethe install; do not edit.
                [Unit]
                Description=lethe: keep what programs created since boot (after start-up, and at shutdown)
                RequiresMountsFor=%s
                After=multi-user.target %s
                ConditionKernelCommandLine=!lethe=off

                [Service]
                Type=oneshot
                RemainAfterExit=yes
                ExecStart=/usr/sbin/lethe apply%s
                ExecStop=/usr/sbin/lethe apply%s

                [Install]
                WantedBy=multi-user.target
                """.formatted(stores, ACTIVATE, cache, cache);
    }

    /** Pruning runs after boot, in Java with all its checks, never in the initrd: once after start-up, then daily. */
    public static String prune(Config config) {
        String stores = storePaths(config);
        return """
                # Rendered by lethe install; do not edit.
                [Unit]
                Description=lethe: prune archived roots by the retention policy
                RequiresMountsFor=%s
                After=multi-user.target %s %s
                ConditionKernelCommandLine=!lethe=off

                [Service]
                Type=oneshot
                ExecStart=/usr/sbin/lethe archive prune
                %s# After the capture run, not beside it: two JVMs starting at once slow each other.
                Nice=10

                [Install]
                WantedBy=multi-user.target
                """.formatted(stores, ACTIVATE, CAPTURE, metrics(config));
    }

    /**
     * With [metrics] textfile, the prune unit (after start-up, then daily) refreshes the textfile
     * once it has pruned; "-": a metrics failure never fails the prune. The last-success timestamp
     * in the file goes stale instead, which is what an alert watches.
     */
    static String metrics(Config config) {
        return config.metrics().textfile().map(file -> "ExecStartPost=-/usr/sbin/lethe metrics --output "
                + systemdQuoted(file.value()) + "\n").orElse("");
    }

    /** One argument of an Exec line, as systemd reads it: quoted, with its specifiers and variables escaped. */
    static String systemdQuoted(String argument) {
        return "\"" + argument.replace("\\", "\\\\").replace("\"", "\\\"").replace("%", "%%").replace("$", "$$") + "\"";
    }

    /** The stores' paths, for RequiresMountsFor=: a unit that reads or writes them waits for their filesystems. */
    private static String storePaths(Config config) {
        return config.stores().stream().map(s -> s.path().value()).collect(Collectors.joining(" "));
    }

    /** Where the drop-in for systemd-machine-id-commit.service goes. */
    public static final String MACHINE_ID_COMMIT_DROP_IN = "/etc/systemd/system/systemd-machine-id-commit.service.d/lethe.conf";

    /**
     * systemd-machine-id-commit.service writes a transient id kept on a tmpfs over /etc/machine-id to
     * disk. With lethe persisting the id, /etc/machine-id is lethe's bind of the store's copy (on
     * disk already), and the commit refuses a mount that is not a tmpfs and fails at every boot. It
     * runs only on a boot with lethe switched off, where systemd's own behaviour applies.
     */
    public static String machineIdCommitDropIn() {
        return """
                # Rendered by lethe install; do not edit.
                # lethe keeps /etc/machine-id in the store and binds it in place before systemd starts:
                # the id is on disk already, and the commit would refuse the bind (not a tmpfs).
                [Unit]
                ConditionKernelCommandLine=lethe=off
                """;
    }

    public static String pruneTimer() {
        return """
                # Rendered by lethe install; do not edit.
                [Unit]
                Description=lethe: prune archived roots daily

                [Timer]
                OnUnitActiveSec=1d
                Persistent=false

                [Install]
                WantedBy=timers.target
                """;
    }

    /**
     * The wipe in a systemd initrd (dracut): after the root's device (and so its cryptsetup) and
     * local-fs-pre.target (hibernation resume runs before it, so a resumed image never finds its
     * root swapped), before sysroot.mount. Wanted by initrd.target, not required: if the wipe
     * fails, the old root boots.
     */
    public static String initrdWipe(RootConfig root) {
        Optional<String> rootDevice = switch (root) {
            case RootConfig.Btrfs btrfs -> Optional.of(btrfs.device());
            case RootConfig.Overlay overlay -> overlay.device();
            case RootConfig.Zfs _, RootConfig.Tmpfs _, RootConfig.None _ -> Optional.empty();
        };
        String device = rootDevice.map(d -> "Wants=" + deviceUnit(d) + "\nAfter=" + deviceUnit(d) + "\n").orElse("");
        if (root instanceof RootConfig.Zfs) {
            device += "After=zfs-import.target\n";  // the pools imported by dracut's zfs module, none mounted yet
        }
        return """
                # Rendered by lethe install; do not edit.
                [Unit]
                Description=lethe: archive the old root and make a fresh one
                DefaultDependencies=no
                ConditionPathExists=/etc/initrd-release
                %sAfter=local-fs-pre.target cryptsetup.target systemd-hibernate-resume.service
                Before=sysroot.mount initrd-root-fs.target

                [Service]
                Type=oneshot
                RemainAfterExit=yes
                ExecStart=%s wipe
                StandardOutput=journal+console
                StandardError=journal+console
                """.formatted(device, InitrdScript.IN_INITRD);
    }

    /** The initrd entries in a systemd initrd: under /sysroot once it is mounted, before the switch. */
    public static String initrdEntries() {
        return """
                # Rendered by lethe install; do not edit.
                [Unit]
                Description=lethe: put the initrd-stage entries in place (/etc/machine-id)
                DefaultDependencies=no
                ConditionPathExists=/etc/initrd-release
                After=initrd-root-fs.target %s
                Before=initrd-fs.target initrd-parse-etc.service

                [Service]
                Type=oneshot
                RemainAfterExit=yes
                # overlay and tmpfs: the overlay over the real root at /sysroot first (nothing for the others)
                ExecStart=%s mount /sysroot
                ExecStart=%s entries /sysroot
                StandardOutput=journal+console
                StandardError=journal+console
                """.formatted(INITRD_WIPE, InitrdScript.IN_INITRD, InitrdScript.IN_INITRD);
    }

    /** systemd's name for the device unit of a path ({@code systemd-escape --path --suffix=device}). */
    static String deviceUnit(String path) {
        String trimmed = path.replaceAll("^/+", "").replaceAll("/+$", "");
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (c == '/') {
                name.append('-');
            } else if (Character.isLetterOrDigit(c) && c < 128 || c == ':' || c == '_' || (c == '.' && i > 0)) {
                name.append(c);
            } else {
                for (byte b : String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    name.append(String.format("\\x%02x", b & 0xff));
                }
            }
        }
        return name + ".device";
    }
}
