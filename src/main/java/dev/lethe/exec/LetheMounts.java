package dev.lethe.exec;

import dev.lethe.linux.Fs;
import dev.lethe.linux.MountInfo;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.model.Method;
import dev.lethe.plan.Observation.LetheMount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The record of the mounts lethe made, kept in each store at {@code .lethe/mounts}: one line per
 * mount with the boot it was made in and its mount id. Only a recorded mount is ever unmounted,
 * never one that merely looks like lethe's (an fstab bind of the same directory, say). Mount ids
 * are unique only within a boot, so lines of other boots are ignored.
 */
public final class LetheMounts {
    private LetheMounts() {}

    /** One recorded mount that is still mounted where it was made. */
    record Recorded(int id, LetheMount mount) {}

    static AbsolutePath file(AbsolutePath store) {
        return Journal.letheDirectory(store).resolve("mounts");
    }

    public static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
        } catch (IOException e) {
            return "unknown-boot";
        }
    }

    static List<Recorded> read(Fs fs, AbsolutePath store, MountInfo mounts, String bootId) throws IOException {
        AbsolutePath file = file(store);
        if (fs.stat(file).isEmpty()) {
            return List.of();
        }
        List<Recorded> found = new ArrayList<>();
        for (String line : new String(fs.readFile(file), StandardCharsets.UTF_8).lines().toList()) {
            String[] f = line.split(" ", 3);
            if (f.length != 3 || !f[0].equals(bootId) || !isMountId(f[1]) || AbsolutePath.problemWith(f[2]) != null) {
                continue;
            }
            int id = Integer.parseInt(f[1]);
            AbsolutePath target = AbsolutePath.of(f[2]);
            String host = fs.hostPath(target);
            List<MountInfo.Mount> here = mounts.at(host);
            for (MountInfo.Mount mount : here) {
                if (mount.id() == id) {
                    boolean topmost = here.stream().noneMatch(m -> m.parentId() == id);
                    found.add(new Recorded(id, new LetheMount(store, target.under(store), target, topmost)));
                }
            }
        }
        return found;
    }

    /**
     * One to nine digits. Not {@code String.matches}, which compiles its pattern at each call: this is
     * asked for each line of the record, a line per mount, at every apply.
     */
    static boolean isMountId(String field) {
        if (field.isEmpty() || field.length() > 9) {
            return false;
        }
        for (int i = 0; i < field.length(); i++) {
            if (field.charAt(i) < '0' || field.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Rewrites each store's record after an apply: the store's bind entries whose target now shows
     * the store path on top, plus the recorded mounts of removed entries still there (an unmount
     * that failed). Read from the mount table alone, at no cost per entry in system calls.
     */
    public static void record(Fs fs, List<AbsolutePath> stores, List<Entry> entries, String bootId) throws IOException {
        MountInfo mounts = MountInfo.read();
        for (AbsolutePath store : stores) {
            MountInfo.Mount storeFs = mounts.containing(fs.hostPath(store));
            if (storeFs == null || fs.stat(store).isEmpty()) {
                continue;
            }
            String storeHost = fs.hostPath(store);
            String below = storeFs.mountPoint().equals("/") ? storeHost : storeHost.substring(storeFs.mountPoint().length());
            String storeRoot = storeFs.root().equals("/") ? below : storeFs.root() + below;
            StringBuilder text = new StringBuilder();
            Set<AbsolutePath> written = new HashSet<>();
            for (Entry entry : entries) {
                if (!entry.store().equals(store) || entry.method() != Method.BIND) {
                    continue;
                }
                MountInfo.Mount top = mounts.topmostAt(fs.hostPath(entry.target()));
                String expectedRoot = storeRoot.isEmpty() ? entry.target().value() : storeRoot + entry.target().value();
                if (top != null && top.device() == storeFs.device() && top.root().equals(expectedRoot)) {
                    text.append(bootId).append(' ').append(top.id()).append(' ').append(entry.target().value()).append('\n');
                    written.add(entry.target());
                }
            }
            for (Recorded still : read(fs, store, mounts, bootId)) {
                if (written.add(still.mount().target())) {
                    text.append(bootId).append(' ').append(still.id()).append(' ').append(still.mount().target().value()).append('\n');
                }
            }
            if (text.isEmpty() && fs.stat(file(store)).isEmpty()) {
                continue;
            }
            Journal.ensureLetheDirectory(fs, store);
            fs.writeFileAtomically(file(store), Syscalls.bytes(text.toString()), 0600);
        }
    }
}
