package dev.lethe.root.overlay;

import static dev.lethe.linux.Syscalls.bytes;
import static dev.lethe.root.overlay.Layout.BOOTS;
import static dev.lethe.root.overlay.Layout.CURRENT;
import static dev.lethe.root.overlay.Layout.UPPER;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.tree.TreeRemover;
import dev.lethe.linux.Descriptor;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Syscalls;
import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy.ArchiveReader;
import dev.lethe.root.Tools;
import dev.lethe.root.overlay.State.Boot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The overlay archives: every boot directory but current and the one an interrupted wipe was making.
 * Listed, sized, read (the raw upper/, no mount needed) and destroyed, each only after proving the id
 * names one of them; a destroy first renames the directory to {@code .destroying-<id>}, so a crash
 * leaves the whole archive listed or nothing listed (docs/strategies.md, "Overlay internals").
 */
final class OverlayArchives {

    private static final String DESTROYING = ".destroying-";

    private final Upper upper;
    private final Syscalls sys;

    OverlayArchives(Upper upper) {
        this.upper = upper;
        this.sys = upper.context().sys();
    }

    /** Newest first. */
    List<ArchiveRef> list() throws IOException {
        try (Layout layout = Layout.open(upper)) {
            return layout.readState().archives();
        }
    }

    long sizeOf(ArchiveRef archive) throws IOException {
        Path boot = directory(archive);
        // du counts blocks (what pruning frees), each hard link once, and stays on this filesystem (-x).
        Tools.Result du = upper.context().tools().tryRun(List.of("du", "-s", "-x", "-B1", boot.toString()));
        if (du.exit() != 0) {
            throw new RootException("du -s -x -B1 " + boot + " failed (exit " + du.exit() + "): " + du.output().strip());
        }
        return Long.parseLong(du.output().strip().split("\\s+")[0]);
    }

    <T> T read(ArchiveRef archive, ArchiveReader<T> reader) throws IOException {
        return reader.read(directory(archive).resolve(UPPER));
    }

    /** The host path of a listed archive's boot directory; anything else is refused. */
    private Path directory(ArchiveRef archive) throws IOException {
        try (Layout layout = Layout.open(upper)) {
            requireArchive(layout.readState(), archive.id());
            return upper.host().resolve(BOOTS).resolve(archive.id());
        }
    }

    private Boot requireArchive(State state, String id) throws IOException {
        if (BootName.parse(id).isEmpty()) {
            throw new RootException(id + " is not an overlay archive: lethe names boot directories like 20261128T214500Z");
        }
        if (state.current().isPresent() && state.current().get().id().equals(id)) {
            throw new RootException(id + " is the current boot directory (" + upper.show(CURRENT) + "), the upper layer "
                    + "the root uses; it is not an archive, and lethe never destroys it");
        }
        if (state.pending().isPresent() && state.pending().get().name().id().equals(id)) {
            throw new RootException(id + " is the boot directory an interrupted wipe was making, not an archive; the "
                    + "next wipe uses it");
        }
        return state.boot(id).orElseThrow(() -> new RootException("no overlay archive " + id + " in "
                + upper.show(BOOTS) + "; lethe archive list shows them"));
    }

    void destroy(ArchiveRef archive) throws IOException {
        try (Layout layout = Layout.open(upper)) {
            layout.lock();
            State state = layout.readState();
            if (state.current().isEmpty()) {
                throw new RootException("there is no " + upper.show(CURRENT) + ", so lethe cannot prove that "
                        + archive.id() + " is not the upper layer in use; it destroys nothing until a wipe has set current");
            }
            requireArchive(state, archive.id());
            requireNotMounted(archive.id());
            try (Descriptor boots = layout.openBoots()) {
                int bootsFd = boots.value();
                finishInterruptedDestroys(bootsFd);
                String doomed = DESTROYING + archive.id();
                try {
                    sys.renameat2(bootsFd, bytes(archive.id()), bootsFd, bytes(doomed), Flags.RENAME_NOREPLACE);
                } catch (ErrnoException e) {
                    throw e.withPath(upper.show(BOOTS, archive.id()) + " -> " + doomed);
                }
                layout.sync(bootsFd, upper.show(BOOTS));
                try {
                    TreeRemover.remove(sys, bootsFd, bytes(doomed));
                } catch (IOException e) {
                    // TreeRemover checks the whole tree before it deletes anything: a refusal left it whole, so list it again.
                    restoreName(bootsFd, doomed, archive.id());
                    throw new RootException("cannot destroy overlay archive " + archive.id() + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** A mounted overlay whose upperdir is this archive's (a wipe ran on a live system): destroying it would wipe that root. */
    private static void requireNotMounted(String id) throws IOException {
        String suffix = "/" + BOOTS + "/" + id + "/" + UPPER;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] tail = line.split(" - ", 2);
            String[] fields = tail.length == 2 ? tail[1].split(" ") : new String[0];
            if (fields.length < 3 || !fields[0].equals("overlay")) {
                continue;
            }
            for (String option : fields[2].split(",")) {
                if (option.startsWith("upperdir=") && option.endsWith(suffix)) {
                    throw new RootException(id + " is the upper layer of a mounted overlay (" + option + "): that root "
                            + "is still running on it. Destroy it after the next boot");
                }
            }
        }
    }

    /** Removes what a destroy killed midway left: {@code .destroying-<id>} names only lethe gives. */
    private void finishInterruptedDestroys(int bootsFd) throws IOException {
        for (Syscalls.DirEntry entry : sys.listDirectory(bootsFd)) {
            String name = entry.text();
            if (name.startsWith(DESTROYING) && BootName.parse(name.substring(DESTROYING.length())).isPresent()) {
                TreeRemover.remove(sys, bootsFd, entry.name());
            }
        }
    }

    private void restoreName(int bootsFd, String doomed, String id) {
        try {
            sys.renameat2(bootsFd, bytes(doomed), bootsFd, bytes(id), Flags.RENAME_NOREPLACE);
            sys.fsync(bootsFd);
        } catch (ErrnoException ignored) {
            // The caller's error says what went wrong; the directory keeps its .destroying- name.
        }
    }
}
