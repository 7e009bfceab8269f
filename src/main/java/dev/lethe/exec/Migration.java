package dev.lethe.exec;

import static dev.lethe.linux.Syscalls.bytes;

import dev.lethe.tree.TreeCopier;
import dev.lethe.tree.TreeRemover;
import dev.lethe.tree.TreeVerifier;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Fs;
import dev.lethe.linux.MountInfo;
import dev.lethe.linux.Stat;
import dev.lethe.linux.UnsafePathException;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Kind;
import dev.lethe.model.Progress;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Moves existing data from a target into the store, so that every file is whole in at least one
 * place at every instant, whenever the process dies, and nothing that was not copied is removed.
 *
 * <p>On one filesystem this is a single rename. Across filesystems: note what the original holds
 * (a {@link Manifest}), copy it into a root-only staging directory in the store
 * ({@code .lethe/staging/}), fsync, verify against the original, check the original did not change
 * meanwhile, write the journal record with the manifest, rename the copy into place, then remove
 * from the original only what the manifest lists unchanged, and drop the record. A crash before the
 * record leaves the original untouched (the staging copy is discarded and redone); a crash after it
 * is finished by {@link #resume}. Anything written to the original after the copy stays there, and
 * the entry then stops as a conflict for the user to merge.
 */
final class Migration {

    private final Fs fs;
    private final Progress progress;

    Migration(Fs fs, Progress progress) {
        this.fs = fs;
        this.progress = progress;
    }

    void migrate(AbsolutePath store, AbsolutePath target, AbsolutePath source, Kind kind) throws IOException {
        refuseNestedMounts(target);
        try {
            moveByRename(target, source, kind);
            return;
        } catch (ErrnoException e) {
            if (!e.is(Errno.EXDEV)) {
                throw e;
            }
        }
        AbsolutePath stagingDir = Journal.ensurePrivateDirectory(fs, store, "staging");
        AbsolutePath staging = stagingDir.resolve(Journal.key(target));
        discardStaging(staging);
        // An unjournaled copy left by a version that named it differently: as worthless as the above.
        Optional<String> legacy = Journal.legacyKey(target);
        if (legacy.isPresent()) {
            discardStaging(stagingDir.resolve(legacy.get()));
        }
        Manifest manifest;
        try (Fs.Fd from = fs.open(target.parent(), Flags.O_PATH | Flags.O_DIRECTORY);
             Fs.Fd to = fs.open(stagingDir, Flags.O_PATH | Flags.O_DIRECTORY)) {
            byte[] name = bytes(target.fileName());
            byte[] stagingName = bytes(staging.fileName());
            manifest = Manifest.of(fs.syscalls(), from.value(), name);
            copyAndVerify(fs, progress, manifest, "copying " + fs.hostPath(target), "verifying " + fs.hostPath(source),
                    from.value(), name, to.value(), stagingName);
            if (!Manifest.of(fs.syscalls(), from.value(), name).equals(manifest)) {
                discardStaging(staging);
                throw new IOException(fs.hostPath(target) + " changed while it was being copied into the store; "
                        + "nothing was removed. Apply again when it is quiet.");
            }
        } catch (IOException e) {
            // Unjournaled, the copy is worth nothing and, on a full disk, would fill the store for
            // every other entry: discard it (only it: the original is untouched so far).
            discardAfterFailure(staging, e);
            throw describe(e, target, source);
        }
        fs.syncDirectory(stagingDir);
        Journal.Record record = new Journal.Record(store, target, kind, manifest);
        try {
            Journal.begin(fs, record);
        } catch (IOException e) {
            if (!Journal.exists(fs, record)) {
                discardAfterFailure(staging, e);
            }
            throw describe(e, target, source);
        }
        finish(record);
    }

    /**
     * The verified copy of the tree {@code manifest} lists (shared with {@link Restore}): copy, then
     * verify, each a phase of {@code progress} with the manifest's counts, ended even when it fails.
     */
    static void copyAndVerify(Fs fs, Progress progress, Manifest manifest, String copying, String verifying, int fromFd,
                              byte[] name, int toFd, byte[] stagingName) throws IOException {
        progress.begin(copying, manifest.files(), manifest.bytesOnce());
        try {
            new TreeCopier(fs.syscalls(), progress).copy(fromFd, name, toFd, stagingName);
        } finally {
            progress.end();
        }
        progress.begin(verifying, manifest.files(), manifest.bytesPerName());
        try {
            TreeVerifier.verify(fs.syscalls(), fromFd, name, toFd, stagingName, progress);
        } finally {
            progress.end();
        }
    }

    private void discardAfterFailure(AbsolutePath staging, IOException failure) {
        try {
            discardStaging(staging);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Completes a migration whose verified copy and journal record exist. */
    void resume(Journal.Record record) throws IOException {
        Stat onTarget = fs.stat(record.target()).orElse(null);
        if (onTarget != null && onTarget.mountRoot()) {
            throw new UnsafePathException(record.target().value(), record.target().value(), fs.hostPath(record.target())
                    + " is a mount point now; lethe will not finish emptying it. Unmount it, then apply again.");
        }
        finish(record);
    }

    private void finish(Journal.Record record) throws IOException {
        AbsolutePath target = record.target();
        AbsolutePath source = record.source();
        AbsolutePath staging = record.staging();
        Stat staged = fs.stat(staging).orElse(null);
        Stat inStore = fs.stat(source).orElse(null);
        if (staged != null && record.kind() == Kind.FILE && staged.isRegularFile() && staged.size() == 0
                && inStore != null && inStore.isRegularFile()) {
            // The store's empty file, swapped out by the exchange below before a crash (or an empty
            // copy of an empty original): it holds nothing, and the copy is in the store already.
            fs.removeFileIfPresent(staging);
            fs.syncDirectory(staging.parent());
        } else if (staged != null) {
            placeInStore(staging, source, record.kind());
        } else if (fs.stat(source).isEmpty()) {
            throw new IOException("the verified copy of " + fs.hostPath(target) + " is in neither " + fs.hostPath(staging)
                    + " nor " + fs.hostPath(source) + "; lethe leaves " + fs.hostPath(target) + " as it is");
        }
        List<String> kept;
        try (Fs.Fd parent = fs.open(target.parent(), Flags.O_PATH | Flags.O_DIRECTORY)) {
            kept = record.manifest().removeUnchanged(fs.syscalls(), parent.value(), bytes(target.fileName()),
                    record.kind() == Kind.DIRECTORY);
        } catch (IOException e) {
            throw describe(e, target, source);
        }
        fs.syncDirectory(target.parent());
        if (record.kind() == Kind.FILE && !kept.isEmpty() && holdsNoData(target)) {
            // The empty file made below as the mount point before a crash, not a change to the
            // original. (Its inode cannot tell: ext4 may reuse the original's number at once. An
            // original a program emptied after the copy looks the same, and holds nothing either.)
            kept = List.of();
        }
        if (record.kind() == Kind.FILE && kept.isEmpty()) {
            Stat copied = fs.stat(source).orElseThrow();
            fs.makeEmptyFile(target, copied.uid(), copied.gid(), copied.permissions());
        }
        Journal.finish(fs, record);
        if (!kept.isEmpty()) {
            throw new IOException(fs.hostPath(target) + " changed after its copy into " + fs.hostPath(source)
                    + " was verified; lethe kept what changed there (" + kept.size() + " paths, first: " + kept.getFirst()
                    + "). Both now hold data: merge them into " + fs.hostPath(source) + ", then apply again.");
        }
    }

    private boolean holdsNoData(AbsolutePath path) throws IOException {
        Stat stat = fs.stat(path).orElse(null);
        return stat != null && stat.isRegularFile() && stat.size() == 0;
    }

    /**
     * Moves the staging copy to the store path. A directory may replace an empty directory (the
     * kernel refuses a non-empty one); a file is exchanged with an existing store file, which must
     * turn out empty, or is exchanged back.
     */
    private void placeInStore(AbsolutePath staging, AbsolutePath source, Kind kind) throws IOException {
        Stat existing = fs.stat(source).orElse(null);
        if (existing == null) {
            fs.rename(staging, source, Flags.RENAME_NOREPLACE);
        } else if (kind == Kind.DIRECTORY) {
            fs.rename(staging, source, 0);
        } else {
            exchangeWithEmptyFile(staging, source);
            fs.removeFileIfPresent(staging);
        }
        fs.syncDirectory(source.parent());
    }

    /** On one filesystem, the whole move is a rename; then the target is recreated empty for the mount. */
    private void moveByRename(AbsolutePath target, AbsolutePath source, Kind kind) throws IOException {
        Stat original = fs.stat(target).orElseThrow(() -> new ErrnoException("stat", fs.hostPath(target), Errno.ENOENT));
        Stat existing = fs.stat(source).orElse(null);
        if (existing == null) {
            fs.rename(target, source, Flags.RENAME_NOREPLACE);
        } else if (kind == Kind.DIRECTORY) {
            fs.rename(target, source, 0);
        } else {
            exchangeWithEmptyFile(target, source);
            fs.removeFileIfPresent(target);
        }
        fs.syncDirectory(source.parent());
        fs.syncDirectory(target.parent());
        if (kind == Kind.DIRECTORY) {
            fs.makeDirectory(target, original.uid(), original.gid(), original.permissions());
        } else {
            fs.makeEmptyFile(target, original.uid(), original.gid(), original.permissions());
        }
        fs.syncDirectory(target.parent());
    }

    /**
     * Swaps {@code from} with the store file at {@code source} in one step, then checks that what
     * came out of the store is empty; if it is not (written since it was observed), swaps back.
     */
    private void exchangeWithEmptyFile(AbsolutePath from, AbsolutePath source) throws IOException {
        fs.rename(from, source, Flags.RENAME_EXCHANGE);
        Stat swappedOut = fs.stat(from).orElseThrow();
        if (!swappedOut.isRegularFile() || swappedOut.size() != 0) {
            fs.rename(from, source, Flags.RENAME_EXCHANGE);
            throw new IOException("both " + fs.hostPath(from) + " and " + fs.hostPath(source)
                    + " hold data; lethe will neither hide nor overwrite either");
        }
    }

    /** A rename would carry nested mounts into the store, and a copy would cross into them. */
    private void refuseNestedMounts(AbsolutePath target) throws IOException {
        String host = fs.hostPath(target);
        for (MountInfo.Mount mount : MountInfo.read().mounts()) {
            if (!mount.mountPoint().equals(host) && MountInfo.isUnder(mount.mountPoint(), host)) {
                throw new UnsafePathException(target.value(), mount.mountPoint(), mount.mountPoint()
                        + " is a mount point inside " + host + "; lethe does not migrate a tree with mounts in it. "
                        + "Unmount it, or persist it as an entry of its own.");
            }
        }
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

    private IOException describe(IOException e, AbsolutePath target, AbsolutePath source) {
        if (e instanceof UnsafePathException) {
            return e;
        }
        return new IOException("migrating " + fs.hostPath(target) + " into " + fs.hostPath(source) + ": " + e.getMessage(), e);
    }
}
