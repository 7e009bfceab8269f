package dev.lethe.doctor;

import dev.lethe.config.StoreConfig;
import dev.lethe.model.AbsolutePath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether each store's filesystem is mounted early enough. {@code lethe-activate.service} runs
 * before {@code local-fs.target} with {@code RequiresMountsFor=} on the stores, and the initrd
 * stage mounts a store from the root's fstab: both need a plain local mount, declared in fstab or
 * by a {@code .mount} unit.
 */
public final class StoreMounts {
    private StoreMounts() {}

    /** A filesystem the boot mounts: an fstab line, or a {@code .mount} unit's What=/Where=/Type=/Options=. */
    public record MountLine(String what, String where, String type, List<String> options, String origin) {
        public MountLine {
            options = List.copyOf(options);
        }
    }

    /** Filesystems that need the network, which comes up long after activation (before sysinit.target). */
    static final Set<String> NETWORK_TYPES = Set.of("nfs", "nfs4", "cifs", "smb3", "ceph", "glusterfs", "fuse.sshfs",
            "sshfs", "davfs", "fuse.glusterfs", "iscsi");

    /** The lines of an fstab (fstab(5)): comments and blank lines skipped, octal escapes (\040) read. */
    public static List<MountLine> parseFstab(String text, String file) {
        List<MountLine> lines = new ArrayList<>();
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] f = trimmed.split("\\s+");
            if (f.length < 2) {
                continue;
            }
            List<String> options = f.length > 3 ? Arrays.asList(f[3].split(",")) : List.of("defaults");
            lines.add(new MountLine(unescape(f[0]), unescape(f[1]), f.length > 2 ? f[2] : "auto", options,
                    file + ":" + number));
        }
        return lines;
    }

    /** A {@code .mount} unit's [Mount] keys (systemd.mount(5)); empty when it has no Where=. */
    public static Optional<MountLine> parseMountUnit(String text, String file) {
        String what = "";
        String where = null;
        String type = "auto";
        List<String> options = new ArrayList<>();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            int equals = trimmed.indexOf('=');
            if (equals < 0 || trimmed.startsWith("#") || trimmed.startsWith(";")) {
                continue;
            }
            String key = trimmed.substring(0, equals).strip();
            String value = trimmed.substring(equals + 1).strip();
            switch (key) {
                case "What" -> what = value;
                case "Where" -> where = value;
                case "Type" -> type = value;
                case "Options" -> options.addAll(Arrays.asList(value.split(",")));
                default -> { }
            }
        }
        return where == null ? Optional.empty() : Optional.of(new MountLine(what, where, type, options, file));
    }

    /**
     * One finding per store (not on the root) that no line mounts, or that a line mounts late. A
     * {@code .mount} unit in /etc/systemd/system overrides what the fstab generator makes; of two
     * fstab lines for one mount point the generator keeps the first.
     */
    public static List<Finding> check(List<StoreConfig> stores, List<MountLine> lines) {
        List<Finding> findings = new ArrayList<>();
        for (StoreConfig store : stores) {
            if (store.onRoot()) {
                continue;
            }
            AbsolutePath path = store.path();
            List<MountLine> matching = lines.stream().filter(l -> path.value().equals(trimSlash(l.where()))).toList();
            Optional<MountLine> line = matching.stream().filter(l -> l.origin().endsWith(".mount")).findFirst()
                    .or(() -> matching.stream().findFirst());
            if (line.isEmpty()) {
                findings.add(new Finding.StoreMountedLate(path, "has no line in /etc/fstab and no .mount unit: "
                        + "lethe-activate.service's RequiresMountsFor=" + path + " has nothing to wait for, and the "
                        + "initrd stage cannot mount it", "add an fstab line for its filesystem (without noauto, _netdev "
                        + "or x-systemd.automount), e.g. UUID=... " + path + " ext4 defaults 0 2"));
                continue;
            }
            lateBecause(line.get()).ifPresent(reason -> findings.add(new Finding.StoreMountedLate(path,
                    reason + " (" + line.get().origin() + ")", "mount it as a plain local filesystem: drop that option "
                            + "from " + line.get().origin() + ", or keep this data on a local store")));
        }
        return findings;
    }

    /** Why a line mounts its filesystem too late for the activation, if it does. */
    static Optional<String> lateBecause(MountLine line) {
        if (line.options().contains("x-systemd.automount")) {
            return Optional.of("is an automount (x-systemd.automount): nothing is mounted until a program touches it, "
                    + "and the initrd stage and lethe's ordering see an empty directory");
        }
        if (line.options().contains("_netdev") || NETWORK_TYPES.contains(line.type())) {
            return Optional.of("needs the network (" + (line.options().contains("_netdev") ? "_netdev" : line.type())
                    + "), which comes up after lethe-activate.service must have run: systemd breaks the ordering "
                    + "cycle and the entries stay unmounted");
        }
        if (line.options().contains("noauto")) {
            return Optional.of("is noauto: the boot mounts it only when a unit asks for it, so whatever uses the "
                    + "store outside lethe's units, and every boot with lethe=off, finds an empty directory");
        }
        return Optional.empty();
    }

    private static String trimSlash(String where) {
        return where.length() > 1 && where.endsWith("/") ? where.substring(0, where.length() - 1) : where;
    }

    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
