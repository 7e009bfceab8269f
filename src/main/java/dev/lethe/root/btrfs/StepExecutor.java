package dev.lethe.root.btrfs;

import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Syscalls;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootException;
import dev.lethe.root.WipeStep;
import dev.lethe.root.BtrfsStep;
import dev.lethe.root.btrfs.Registry.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Performs the steps of a btrfs wipe on the top level mounted read-write, one at a time, each by
 * the code that makes it crash-safe: every change goes through the injected syscall port, the
 * registry's fsynced writes or {@code Tools.run}, so each is a crash point.
 */
final class StepExecutor {
    private final RootContext context;
    private final Mounted top;

    StepExecutor(RootContext context, Mounted top) {
        this.context = context;
        this.top = top;
    }

    void perform(WipeStep step) throws IOException {
        if (!(step instanceof BtrfsStep btrfs)) {
            throw new IllegalArgumentException("not a step of the btrfs wipe: " + step.describe());
        }
        switch (btrfs) {
            case BtrfsStep.AlreadyFresh s -> { }  // nothing to do: says why
            case BtrfsStep.FoundArchived s -> { }  // says where an interrupted wipe stopped
            // A umask only takes bits away, and root reads through any mode: the mode or stricter.
            case BtrfsStep.MakeArchives s -> inTopLevel((sys, fd) -> sys.mkdirat(fd, Syscalls.bytes(s.directory()), s.mode()));
            case BtrfsStep.ForgetRecord s -> {
                Path file = top.resolve(s.registry());
                var stale = Registry.read(file).entries().stream().filter(e -> e.name().equals(s.name())
                        && e.subvolume().equals(s.subvolume()) && e.uuid().equals(s.uuid())).reduce((a, b) -> b);
                if (stale.isPresent()) {
                    Registry.remove(file, stale.get());
                }
            }
            case BtrfsStep.Record s -> Registry.append(top.resolve(s.registry()), new Entry(s.name(), s.subvolume(),
                    s.uuid(), Long.parseLong(s.id()), Instant.parse(s.created()), s.degraded()));
            case BtrfsStep.Rename s -> rename(s.subvolume(), s.archive());
            case BtrfsStep.Snapshot s -> snapshot(s.blank(), s.subvolume());
        }
    }

    /**
     * The rename that archives the root: renameat2(2) with RENAME_NOREPLACE, so it is constant time,
     * cannot turn into a copy (mv would copy across filesystems) and never lands on an existing name.
     */
    private void rename(String root, String archive) throws IOException {
        try {
            inTopLevel((sys, fd) -> sys.renameat2(fd, Syscalls.bytes(root), fd, Syscalls.bytes(archive),
                    Flags.RENAME_NOREPLACE));
        } catch (ErrnoException e) {
            if (e.is(Errno.EEXIST)) {
                throw new RootException(top.resolve(archive) + " exists already; nothing was changed");
            }
            throw e.withPath(top.resolve(root) + " -> " + top.resolve(archive));
        }
    }

    private void snapshot(String blank, String subvolume) throws IOException {
        Path root = top.resolve(subvolume);
        // btrfs would put the snapshot inside an existing directory of that name: make sure there is none.
        if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new RootException(root + " exists already; the root was not recreated");
        }
        context.tools().run("btrfs", "subvolume", "snapshot", top.resolve(blank).toString(), root.toString());
    }

    /** One change made relative to the mounted top level, through the injected syscall port. */
    @FunctionalInterface
    private interface TopLevelChange {
        void apply(Syscalls sys, int topFd) throws ErrnoException;
    }

    private void inTopLevel(TopLevelChange change) throws ErrnoException {
        Syscalls sys = context.sys();
        try (Descriptor fd = sys.open(Flags.AT_FDCWD, Syscalls.bytes(top.path.toString()),
                Flags.O_PATH | Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0)) {
            change.apply(sys, fd.value());
        }
    }
}
