package dev.lethe.root.overlay;

import static dev.lethe.linux.Syscalls.bytes;

import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Fs;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.linux.UnsafePathException;
import dev.lethe.root.RootException;
import dev.lethe.root.overlay.State.Boot;
import dev.lethe.root.overlay.State.Leftover;
import dev.lethe.root.overlay.State.Part;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The configured upper directory, opened without following any symlink on the way, and the read-only
 * inspection of what lethe keeps in it (docs/strategies.md, "Overlay internals"):
 * {@code boots/<name>/{upper,work,DEGRADED}} and the {@code current} symlink.
 */
final class Layout implements AutoCloseable {

    static final String BOOTS = "boots";
    static final String CURRENT = "current";
    static final String CURRENT_NEW = ".current.new";
    static final String UPPER = "upper";
    static final String WORK = "work";
    static final String DEGRADED = "DEGRADED";

    private static final long DIRECTORY = Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC;

    final Upper upper;
    final Syscalls sys;
    private final Fs fs;
    /** The upper directory; valid until {@link #close}. */
    final int upperFd;

    private Layout(Upper upper, Fs fs, int upperFd) {
        this.upper = upper;
        this.sys = upper.context().sys();
        this.fs = fs;
        this.upperFd = upperFd;
    }

    /** Opens the upper directory below the managed root, refusing a missing one or one reached through a symlink. */
    static Layout open(Upper upper) throws IOException {
        Fs fs;
        try {
            fs = Fs.open(upper.context().sys(), upper.context().root().toString());
        } catch (ErrnoException e) {
            throw upper.refuse("the lower root " + upper.context().root() + " cannot be opened: " + e.getMessage());
        }
        try {
            Fs.Fd fd = fs.open(upper.configured(), Flags.O_RDONLY | Flags.O_DIRECTORY);
            return new Layout(upper, fs, fd.value());
        } catch (ErrnoException e) {
            fs.close();
            if (e.is(Errno.ENOENT)) {
                throw upper.refuse("upper " + upper.host() + " does not exist. Create it on a persistent filesystem; "
                        + "lethe does not, because if that filesystem were not mounted it would land on the root or in RAM");
            }
            if (e.is(Errno.ENOTDIR)) {
                throw upper.refuse("upper " + upper.host() + " is not a directory");
            }
            throw upper.refuse("upper " + upper.host() + " cannot be opened: " + e.getMessage());
        } catch (UnsafePathException e) {
            fs.close();
            throw upper.refuse("upper " + upper.host() + " is reached through a symbolic link (" + e.getMessage()
                    + "); write the real path");
        } catch (IOException | RuntimeException e) {
            fs.close();
            throw e;
        }
    }

    /** Serialises wipes and destroys on one upper; the lock goes with the process, even when it is killed. */
    void lock() throws ErrnoException {
        sys.flock(upperFd, Flags.LOCK_EX);
    }

    Descriptor openBoots() throws IOException {
        return openDirectory(upperFd, BOOTS, upper.show(BOOTS));
    }

    State readState() throws IOException {
        Optional<Stat> boots = lstat(upperFd, BOOTS, upper.show(BOOTS));
        List<Boot> found = new ArrayList<>();
        if (boots.isPresent()) {
            if (!boots.get().isDirectory()) {
                throw new RootException(upper.show(BOOTS) + " is a " + boots.get().typeWord() + "; lethe keeps its boot "
                        + "directories there. Move it away, or choose another upper");
            }
            try (Descriptor bootsFd = openBoots()) {
                for (Syscalls.DirEntry entry : sys.listDirectory(bootsFd.value())) {
                    Optional<BootName> name = BootName.parse(entry.text());
                    if (name.isPresent()) {
                        readBoot(bootsFd.value(), name.get()).ifPresent(found::add);
                    }
                }
            }
        }
        found.sort(Comparator.comparing(Boot::name));
        return new State(boots.isPresent(), found, readCurrent(found), readCurrentNew());
    }

    /** A boot directory, or empty if the name is taken by something that is not a directory (not lethe's). */
    private Optional<Boot> readBoot(int bootsFd, BootName name) throws IOException {
        String shown = upper.show(BOOTS, name.id());
        Optional<Stat> stat = lstat(bootsFd, name.id(), shown);
        if (stat.isEmpty() || !stat.get().isDirectory()) {
            return Optional.empty();
        }
        try (Descriptor boot = openDirectory(bootsFd, name.id(), shown)) {
            int bootFd = boot.value();
            boolean degraded = lstat(bootFd, DEGRADED, shown).isPresent();
            return Optional.of(new Boot(name, part(bootFd, UPPER, shown), part(bootFd, WORK, shown), degraded));
        }
    }

    private Part part(int bootFd, String name, String shownBoot) throws IOException {
        Descriptor fd;
        try {
            fd = sys.open(bootFd, bytes(name), DIRECTORY, 0);
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT)) {
                return Part.MISSING;
            }
            if (e.is(Errno.ENOTDIR) || e.is(Errno.ELOOP)) {
                return Part.USED;  // something else is there: content, never taken for an empty directory
            }
            throw e.withPath(shownBoot + "/" + name);
        }
        try (fd) {
            return sys.hasEntries(fd.value()) ? Part.USED : Part.EMPTY;
        }
    }

    /** Reads current without following it; only {@code boots/<an existing boot directory>} is accepted. */
    private Optional<BootName> readCurrent(List<Boot> boots) throws IOException {
        String target;
        try {
            target = new String(sys.readlinkat(upperFd, bytes(CURRENT)), StandardCharsets.UTF_8);
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT)) {
                return Optional.empty();
            }
            if (e.is(Errno.EINVAL)) {
                throw new RootException(upper.show(CURRENT) + " is not a symlink; lethe keeps a symlink to the boot "
                        + "directory in use there. Move it away, then wipe again");
            }
            throw e.withPath(upper.show(CURRENT));
        }
        Optional<BootName> name = target.startsWith(BOOTS + "/")
                ? BootName.parse(target.substring(BOOTS.length() + 1)) : Optional.empty();
        if (name.isEmpty() || boots.stream().noneMatch(b -> b.name().equals(name.get()))) {
            throw new RootException(upper.show(CURRENT) + " points to " + target + ", which is not a boot directory "
                    + "lethe made. Point it at the one to use (ln -sfn boots/NAME current), or remove it so that the next "
                    + "wipe starts a new one (every boot directory is then kept as an archive)");
        }
        return name;
    }

    private Leftover readCurrentNew() throws IOException {
        Optional<Stat> stat = lstat(upperFd, CURRENT_NEW, upper.show(CURRENT_NEW));
        if (stat.isEmpty()) {
            return Leftover.NOTHING;
        }
        return stat.get().isSymlink() ? Leftover.LINK : Leftover.FOREIGN;
    }

    @Override
    public void close() {
        sys.close(upperFd);
        fs.close();
    }

    // ------------------------------------------------------------------ calls with the path in their errors

    Descriptor openDirectory(int parentFd, String name, String shown) throws ErrnoException {
        try {
            return sys.open(parentFd, bytes(name), DIRECTORY, 0);
        } catch (ErrnoException e) {
            throw e.withPath(shown);
        }
    }

    Optional<Stat> lstat(int dirFd, String name, String shown) throws ErrnoException {
        try {
            return Optional.of(sys.statx(dirFd, bytes(name), Flags.AT_SYMLINK_NOFOLLOW));
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT)) {
                return Optional.empty();
            }
            throw e.withPath(shown);
        }
    }

    /** fsync of a directory, so that what was created or renamed in it survives a power cut. */
    void sync(int dirFd, String shown) throws ErrnoException {
        try {
            sys.fsync(dirFd);
        } catch (ErrnoException e) {
            throw e.withPath(shown);
        }
    }
}
