package dev.lethe.exec;

import static dev.lethe.linux.Syscalls.bytes;

import dev.lethe.exec.copy.TreeCopier;
import dev.lethe.exec.copy.TreeRemover;
import dev.lethe.exec.copy.TreeVerifier;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Fs;
import dev.lethe.linux.Stat;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Kind;
import java.io.IOException;

/**
 * Moves existing data from a target into the store, so that every file is whole in at least one
 * place at every instant, whenever the process dies.
 *
 * <p>On one filesystem this is a single rename. Across filesystems: copy into a staging name next
 * to the store path, fsync, verify against the original, write the journal record, rename the
 * staging copy into place, empty the original, remove the record. A crash before the record
 * leaves the original untouched (the staging copy is discarded and redone); a crash after it is
 * finished by {@link #resume}. Afterwards the target exists and is empty, ready to be mounted on.
 */
final class Migration {

    private final Fs fs;

    Migration(Fs fs) {
        this.fs = fs;
    }

    static AbsolutePath stagingFor(AbsolutePath source) {
        return source.parent().resolve(".lethe-staging." + source.fileName());
    }

    void migrate(AbsolutePath store, AbsolutePath target, AbsolutePath source, Kind kind) throws IOException {
        Stat original = fs.stat(target).orElseThrow(() -> new ErrnoException("stat", fs.hostPath(target), Errno.ENOENT));
        boolean sourceExists = fs.stat(source).isPresent();
        try {
            // Replacing is only allowed over an empty store path; the kernel refuses a non-empty directory.
            fs.rename(target, source, sourceExists ? 0 : Flags.RENAME_NOREPLACE);
            fs.syncDirectory(source.parent());
            fs.syncDirectory(target.parent());
            recreateEmptyTarget(target, original, kind);
            return;
        } catch (ErrnoException e) {
            if (!e.is(Errno.EXDEV)) {
                throw e;
            }
        }
        AbsolutePath staging = stagingFor(source);
        discardStaging(staging);
        try (Fs.Fd from = fs.open(target.parent(), Flags.O_PATH | Flags.O_DIRECTORY);
             Fs.Fd to = fs.open(source.parent(), Flags.O_PATH | Flags.O_DIRECTORY)) {
            new TreeCopier(fs.syscalls()).copy(from.value(), bytes(target.fileName()), to.value(), bytes(staging.fileName()));
            TreeVerifier.verify(fs.syscalls(), from.value(), bytes(target.fileName()), to.value(), bytes(staging.fileName()));
        }
        fs.syncDirectory(staging.parent());
        Journal.begin(fs, store, target);
        finish(store, target, source, kind, original);
    }

    /** Completes a migration whose verified copy and journal record exist. */
    void resume(AbsolutePath store, AbsolutePath target, AbsolutePath source, Kind kind) throws IOException {
        Stat original = fs.stat(target).orElse(null);
        finish(store, target, source, kind, original);
    }

    private void finish(AbsolutePath store, AbsolutePath target, AbsolutePath source, Kind kind, Stat original)
            throws IOException {
        AbsolutePath staging = stagingFor(source);
        if (fs.stat(staging).isPresent()) {
            boolean sourceExists = fs.stat(source).isPresent();
            fs.rename(staging, source, sourceExists ? 0 : Flags.RENAME_NOREPLACE);
            fs.syncDirectory(source.parent());
        }
        if (original != null) {
            if (kind == Kind.DIRECTORY) {
                try (Fs.Fd dir = fs.open(target, Flags.O_RDONLY | Flags.O_DIRECTORY)) {
                    TreeRemover.removeContents(fs.syscalls(), dir.value());
                }
            } else {
                fs.removeFileIfPresent(target);
                fs.syncDirectory(target.parent());
                recreateEmptyTarget(target, original, kind);
            }
        }
        Journal.finish(fs, store, target);
    }

    /** The mount point keeps the original's owner and mode, so the path looks the same unmounted. */
    private void recreateEmptyTarget(AbsolutePath target, Stat original, Kind kind) throws IOException {
        if (fs.stat(target).isPresent()) {
            return;
        }
        if (kind == Kind.DIRECTORY) {
            fs.makeDirectory(target, original.uid(), original.gid(), original.permissions());
        } else {
            fs.makeEmptyFile(target, original.uid(), original.gid(), original.permissions());
        }
        fs.syncDirectory(target.parent());
    }

    /** A staging copy without a journal record is an unfinished, unverified copy: the original is whole. */
    private void discardStaging(AbsolutePath staging) throws IOException {
        if (fs.stat(staging).isEmpty()) {
            return;
        }
        try (Fs.Fd parent = fs.open(staging.parent(), Flags.O_PATH | Flags.O_DIRECTORY)) {
            TreeRemover.remove(fs.syscalls(), parent.value(), bytes(staging.fileName()));
        }
    }
}
