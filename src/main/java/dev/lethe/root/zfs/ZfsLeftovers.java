package dev.lethe.root.zfs;

import dev.lethe.root.RootException;
import dev.lethe.root.ZfsStep;
import dev.lethe.root.zfs.Zfs.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The clones of the blank that a killed {@code lethe diff} left behind ({@link ZfsDiff}, "Leftovers"),
 * proven so before the next diff or wipe destroys them: named {@code POOL/lethe-diff.<leaf>.<digits>},
 * every dataset in it a filesystem with {@code lethe:diff-of=<root>} set on itself and cloned from a
 * blank of the root's tree, and the process its {@code lethe:diff-by} names no longer running.
 */
final class ZfsLeftovers {
    private final Zfs zfs;

    ZfsLeftovers(Zfs zfs) {
        this.zfs = zfs;
    }

    /** The steps that destroy the clones a cut-short diff of this root left behind. */
    List<ZfsStep.DestroyLeftover> of(ZfsNames n) throws RootException {
        Pattern named = Pattern.compile(Pattern.quote(n.pool() + "/" + ZfsDiff.PREFIX + n.leaf() + ".") + "[0-9]+");
        List<ZfsStep.DestroyLeftover> steps = new ArrayList<>();
        for (Node child : zfs.get(n.pool(), 1, "type").values()) {
            if (!named.matcher(child.name()).matches()) {
                continue;
            }
            Optional<String> gone = leftBehindBy(n, child.name());
            if (gone.isPresent()) {
                steps.add(new ZfsStep.DestroyLeftover(child.name(), n.blankSnapshot(), gone.get()));
            }
        }
        return steps;
    }

    /** The process that made {@code clone}, if the clone is a lethe diff's of this root and that process is gone. */
    private Optional<String> leftBehindBy(ZfsNames n, String clone) throws RootException {
        Map<String, Node> tree = zfs.get(clone, Zfs.ALL_BELOW, "type", "origin", ZfsDiff.DIFF_OF, ZfsDiff.DIFF_BY);
        Pattern blankOfTheRoot = Pattern.compile(Pattern.quote(n.root()) + "(/[^@]+)?@" + Pattern.quote(n.blank()));
        for (Node node : tree.values()) {
            if (!node.isFilesystem() || !node.local(ZfsDiff.DIFF_OF).equals(Optional.of(n.root()))
                    || !blankOfTheRoot.matcher(node.value("origin").orElse("")).matches()) {
                return Optional.empty();
            }
        }
        Optional<String> by = Optional.ofNullable(tree.get(clone)).flatMap(top -> top.local(ZfsDiff.DIFF_BY));
        if (by.isEmpty() || !by.get().matches("[0-9]+@[0-9]+@[0-9]+")) {
            return Optional.empty();
        }
        // A pid means something only in the PID namespace that gave it: a diff run in a container is
        // not visible from here, so its clone is left alone whether it still runs or not.
        if (!by.get().endsWith("@" + PID_NAMESPACE)) {
            return Optional.empty();
        }
        long pid = Long.parseLong(by.get().substring(0, by.get().indexOf('@')));
        boolean running = ProcessHandle.of(pid).map(ZfsLeftovers::processId).filter(by.get()::equals).isPresent();
        return running ? Optional.empty() : Optional.of("process " + pid);
    }

    /** The inode of this process's PID namespace ("pid:[4026531836]"), or "unknown" without /proc. */
    private static final String PID_NAMESPACE = pidNamespace();

    private static String pidNamespace() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
            return link.replaceAll("[^0-9]", "");
        } catch (IOException | UnsupportedOperationException e) {
            return "unknown";
        }
    }

    /** The mark of a process: pid, start time (ms), PID namespace: unique on this machine for this boot. */
    static String processId(ProcessHandle process) {
        return process.pid() + "@" + process.info().startInstant().map(t -> Long.toString(t.toEpochMilli())).orElse("?")
                + "@" + PID_NAMESPACE;
    }
}
