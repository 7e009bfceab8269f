package dev.lethe.exec;

import static dev.lethe.linux.Syscalls.bytes;

import dev.lethe.linux.Descriptor;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Fs;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.model.Progress;
import java.io.IOException;
import dev.lethe.linux.FileType;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Copies a path from an opened archive back into the store, where the entry that covers it
 * keeps it: owner, mode, times, xattrs kept, verified, and never over anything that exists.
 */
public final class Restore {
    private Restore() {}

    /** Where {@code path} lands in the store: its entry's store path plus the rest of {@code path}. */
    public static AbsolutePath destination(Entry entry, AbsolutePath path) {
        String below = path.relativeTo(entry.target());
        return entry.source().resolve(below);
    }

    /** An overlay archive's directory may hold whiteouts (deletions as 0/0 character devices): not data to bring back. */
    private static void refuseWhiteoutsBelow(Path top, AbsolutePath path) throws IOException {
        if (!Files.isDirectory(top, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(top)) {
            for (Path each : (Iterable<Path>) paths::iterator) {
                int mode = (Integer) Files.getAttribute(each, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                if ((mode & FileType.S_IFMT) == FileType.S_IFCHR
                        && Files.getAttribute(each, "unix:rdev", LinkOption.NOFOLLOW_LINKS).equals(0L)) {
                    throw new IOException(path + " holds deletions made during that boot (" + top.relativize(each)
                            + " is a whiteout): an overlay archive keeps only what a boot changed, so this directory "
                            + "cannot be restored whole. Restore its files one by one.");
                }
            }
        }
    }

    public static AbsolutePath restore(Fs fs, Path archiveFiles, Entry entry, AbsolutePath path) throws IOException {
        return restore(fs, archiveFiles, entry, path, Progress.NONE);
    }

    /** As {@link #restore(Fs, Path, Entry, AbsolutePath)}, telling {@code progress} of the copy and its verification. */
    public static AbsolutePath restore(Fs fs, Path archiveFiles, Entry entry, AbsolutePath path, Progress progress)
            throws IOException {
        AbsolutePath destination = destination(entry, path);
        if (fs.stat(destination).isPresent()) {
            throw new IOException(fs.hostPath(destination) + " exists; lethe never overwrites anything in a store. "
                    + "Move it aside, then restore again.");
        }
        Syscalls sys = fs.syscalls();
        try (Descriptor archive = sys.open(Flags.AT_FDCWD, bytes(archiveFiles.toString()),
                Flags.O_PATH | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0)) {
            byte[] parentInArchive = bytes(path.parent().isRoot() ? "." : path.parent().value().substring(1));
            Descriptor parentFd;
            try {
                // The archive is an old root: a link in it may point anywhere, so it is never followed.
                parentFd = sys.open2(archive.value(), parentInArchive,
                        Flags.O_PATH | Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC,
                        0, Flags.RESOLVE_NO_SYMLINKS | Flags.RESOLVE_BENEATH);
            } catch (ErrnoException e) {
                throw new IOException(path + " is not in this archive (" + e.getMessage() + ")");
            }
            try (parentFd) {
                int parent = parentFd.value();
                if (fs.stat(destination.parent()).filter(dev.lethe.linux.Stat::isDirectory).isEmpty()) {
                    throw new IOException(fs.hostPath(destination.parent()) + " does not exist; restore into an existing "
                            + "directory of the store (restore its parent first)");
                }
                byte[] name = bytes(path.fileName());
                dev.lethe.linux.Stat found;
                try {
                    found = sys.statx(parent, name, 0);
                } catch (ErrnoException e) {
                    throw new IOException(path + " is not in this archive");
                }
                if (found.type() == dev.lethe.linux.FileType.S_IFCHR && found.rdev() == 0) {
                    // An overlay whiteout: that boot deleted the path; there is nothing to bring back.
                    throw new IOException(path + " was deleted during that boot (the archive holds a whiteout), "
                            + "so there is nothing to restore");
                }
                refuseWhiteoutsBelow(archiveFiles.resolve(path.value().substring(1)), path);
                // Copied and verified under a root-only staging name first, then renamed into place
                // without replacing anything: a failed copy never leaves a partial tree in the store.
                AbsolutePath stagingDir = Journal.ensurePrivateDirectory(fs, entry.store(), "staging");
                AbsolutePath staging = stagingDir.resolve("restore-" + Journal.key(destination));
                try (Fs.Fd stagingFd = fs.open(stagingDir, Flags.O_PATH | Flags.O_DIRECTORY)) {
                    byte[] stagingName = bytes(staging.fileName());
                    if (fs.stat(staging).isPresent()) {
                        dev.lethe.tree.TreeRemover.remove(sys, stagingFd.value(), stagingName);
                    }
                    Migration.copyAndVerify(fs, progress, Manifest.of(sys, parent, name), "restoring " + path,
                            "verifying " + fs.hostPath(destination), parent, name, stagingFd.value(), stagingName);
                }
                fs.syncDirectory(stagingDir);
                fs.rename(staging, destination, Flags.RENAME_NOREPLACE);
                fs.syncDirectory(destination.parent());
            }
        }
        return destination;
    }
}
