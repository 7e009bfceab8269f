package dev.lethe.root.overlay;

import static dev.lethe.linux.Syscalls.bytes;
import static dev.lethe.root.overlay.Layout.BOOTS;
import static dev.lethe.root.overlay.Layout.CURRENT;
import static dev.lethe.root.overlay.Layout.CURRENT_NEW;
import static dev.lethe.root.overlay.Layout.DEGRADED;
import static dev.lethe.root.overlay.Layout.UPPER;
import static dev.lethe.root.overlay.Layout.WORK;

import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.root.RootException;
import dev.lethe.root.OverlayStep;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Performs an overlay wipe plan, step by step, on the upper directory it was planned from (held
 * locked by the caller). Every step is what its record says, durable before the next begins, and
 * accepts what an interrupted run of the same step already made; it decides nothing itself.
 */
final class OverlayWipeExecutor {

    private final Layout layout;
    private final Upper upper;
    private final Syscalls sys;
    /** The lower root, whose top directory's owner and mode each new upper/ takes. */
    private final Path lower;

    OverlayWipeExecutor(Layout layout) throws IOException {
        this.layout = layout;
        this.upper = layout.upper;
        this.sys = layout.sys;
        this.lower = upper.lower();
    }

    void perform(List<OverlayStep> steps) throws IOException {
        for (OverlayStep step : steps) {
            perform(step);
        }
    }

    private void perform(OverlayStep step) throws IOException {
        switch (step) {
            case OverlayStep.KeepFreshCurrent keep -> { }  // the whole plan: it only says why nothing is done
            case OverlayStep.NameAfterNewest name -> { }   // says why the next step's name is not the clock's
            case OverlayStep.MarkDegraded mark -> markDegraded(mark);
            case OverlayStep.MakeBoots make -> makeDirectory(layout.upperFd, BOOTS, 0700, upper.show(BOOTS));
            case OverlayStep.MakeBootDirectory make -> makeBootDirectory(make.boot());
            case OverlayStep.CompleteBootDirectory complete -> makeBootDirectory(complete.boot());
            case OverlayStep.RemoveStaleCurrentNew remove -> removeStaleCurrentNew();
            case OverlayStep.SwitchCurrent change -> switchCurrent(change.boot());
        }
    }

    /** Writes the DEGRADED marker beside the boot's upper/; its presence is the mark, the text explains it. */
    private void markDegraded(OverlayStep.MarkDegraded mark) throws IOException {
        String shown = upper.show(BOOTS, mark.boot(), DEGRADED);
        byte[] text = mark.text().getBytes(StandardCharsets.UTF_8);
        try (Descriptor boots = layout.openBoots()) {
            try (Descriptor bootDir = layout.openDirectory(boots.value(), mark.boot(), upper.show(BOOTS, mark.boot()));
                 Descriptor fd = sys.open(bootDir.value(), bytes(DEGRADED),
                         Flags.O_WRONLY | Flags.O_CREAT | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0644)) {
                sys.pwriteFully(fd.value(), text, text.length, 0);
                sys.fsync(fd.value());
                layout.sync(bootDir.value(), upper.show(BOOTS, mark.boot()));
            } catch (ErrnoException e) {
                throw e.withPath(shown);
            }
        }
    }

    /** boots/NAME with upper/ and work/ in it, each made durable; what an interrupted run made is kept. */
    private void makeBootDirectory(String boot) throws IOException {
        try (Descriptor boots = layout.openBoots()) {
            makeDirectory(boots.value(), boot, 0700, upper.show(BOOTS, boot));
            try (Descriptor bootFd = layout.openDirectory(boots.value(), boot, upper.show(BOOTS, boot))) {
                makeUpper(bootFd.value(), boot);
                makeDirectory(bootFd.value(), WORK, 0700, upper.show(BOOTS, boot, WORK));
                layout.sync(bootFd.value(), upper.show(BOOTS, boot));
            }
        }
    }

    /** The new upper/, with the owner and mode of the lower root's top directory: overlayfs shows them as "/". */
    private void makeUpper(int bootFd, String boot) throws IOException {
        String shown = upper.show(BOOTS, boot, UPPER);
        makeDirectory(bootFd, UPPER, 0755, shown);
        Stat top = statLower();
        try {
            sys.fchownat(bootFd, bytes(UPPER), top.uid(), top.gid(), Flags.AT_SYMLINK_NOFOLLOW);
            sys.fchmodat(bootFd, bytes(UPPER), top.permissions() & 07777, 0);
        } catch (ErrnoException e) {
            throw e.withPath(shown);
        }
    }

    private Stat statLower() throws ErrnoException {
        try {
            return sys.statx(Flags.AT_FDCWD, bytes(lower.toString()), 0);
        } catch (ErrnoException e) {
            throw e.withPath(lower.toString());
        }
    }

    /** mkdirat that accepts a directory already there (made by an interrupted run), then fsyncs the parent. */
    private void makeDirectory(int parentFd, String name, int mode, String shown) throws IOException {
        try {
            sys.mkdirat(parentFd, bytes(name), mode);
        } catch (ErrnoException e) {
            if (!e.is(Errno.EEXIST)) {
                throw e.withPath(shown);
            }
            Stat there = layout.lstat(parentFd, name, shown).orElseThrow(() -> e.withPath(shown));
            if (!there.isDirectory()) {
                throw new RootException(shown + " is a " + there.typeWord() + "; lethe expected a directory it made. "
                        + "Move it away, then wipe again");
            }
            return;
        }
        layout.sync(parentFd, shown);
    }

    /** The planner saw a symlink at .current.new (a killed switch); nothing else is ever removed. */
    private void removeStaleCurrentNew() throws IOException {
        try {
            sys.unlinkat(layout.upperFd, bytes(CURRENT_NEW), 0);
        } catch (ErrnoException e) {
            if (!e.is(Errno.ENOENT)) {
                throw e.withPath(upper.show(CURRENT_NEW));
            }
        }
        layout.sync(layout.upperFd, upper.host().toString());
    }

    /** Points current at {@code boot}: a new symlink renamed over the old one, so current is always whole. */
    private void switchCurrent(String boot) throws IOException {
        int fd = layout.upperFd;
        try {
            sys.symlinkat(bytes(BOOTS + "/" + boot), fd, bytes(CURRENT_NEW));
            sys.renameat2(fd, bytes(CURRENT_NEW), fd, bytes(CURRENT), 0);
        } catch (ErrnoException e) {
            throw e.withPath(upper.show(CURRENT));
        }
        layout.sync(fd, upper.host().toString());
    }
}
