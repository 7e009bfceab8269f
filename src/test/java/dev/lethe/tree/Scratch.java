package dev.lethe.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.linux.ffm.FfmSyscalls;
import dev.lethe.testing.Namespaces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * A scratch directory for one test, with shell commands run inside it and mounts that are always
 * undone. Mounting is allowed only inside a mount namespace private to this test run (run the
 * suite with ./test); elsewhere mount tests are skipped, so the host never sees a test mount.
 * {@link Namespaces} decides which.
 */
final class Scratch implements AutoCloseable {

    static final Syscalls SYS = new FfmSyscalls();

    final Path dir;
    private final Deque<Path> mounts = new ArrayDeque<>();

    private Scratch(Path dir) {
        this.dir = dir;
    }

    static Scratch create() throws IOException {
        return new Scratch(Files.createTempDirectory("lethe-copy-test"));
    }

    Path path(String relative) {
        return dir.resolve(relative);
    }

    /** Runs {@code sh -euc script} in the scratch directory and returns its output (bytes as ISO-8859-1, lossless). */
    String sh(String script) {
        return run(dir, List.of("sh", "-euc", script));
    }

    static String run(Path cwd, List<String> command) {
        try {
            Process process = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            int status = process.waitFor();
            String text = new String(output, StandardCharsets.ISO_8859_1);
            assertThat(status).as("%s failed:%n%s", command, text).isZero();
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Mounts a tmpfs on a new directory {@code relative}. */
    Path mountTmpfs(String relative, String options) throws IOException {
        assumePrivateMountNamespace();
        Path target = Files.createDirectories(path(relative));
        run(dir, List.of("mount", "-t", "tmpfs", "-o", options, "tmpfs", target.toString()));
        mounts.push(target);
        return target;
    }

    /** Mounts a fresh 64 MiB ext4 image (loop device, detached again on unmount) on a new directory {@code relative}. */
    Path mountExt4(String relative) throws IOException {
        assumePrivateMountNamespace();
        Path image = path(relative + ".img");
        Path target = Files.createDirectories(path(relative));
        run(dir, List.of("truncate", "-s", "64M", image.toString()));
        run(dir, List.of("mkfs.ext4", "-q", "-F", image.toString()));
        run(dir, List.of("mount", "-o", "loop", image.toString(), target.toString()));
        mounts.push(target);
        return target;
    }

    /** Bind-mounts {@code source} onto {@code target} (both existing). */
    void bindMount(Path source, Path target) {
        assumePrivateMountNamespace();
        run(dir, List.of("mount", "--bind", source.toString(), target.toString()));
        mounts.push(target);
    }

    /** Unmounts everything this scratch mounted, newest first, then deletes it without leaving its filesystem. */
    @Override
    public void close() {
        while (!mounts.isEmpty()) {
            Path target = mounts.pop();
            try {
                Process umount = new ProcessBuilder("umount", target.toString()).inheritIO().start();
                if (umount.waitFor() != 0) {
                    new ProcessBuilder("umount", "-l", target.toString()).inheritIO().start().waitFor();
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("could not unmount " + target, e);
            }
        }
        run(dir.getParent(), List.of("rm", "-rf", "--one-file-system", dir.toString()));
    }

    /** Mounting is allowed only where {@link Namespaces#assumeMountable()} says the host cannot see it. */
    static void assumePrivateMountNamespace() {
        Namespaces.assumeMountable();
    }

    /** An O_PATH descriptor of a directory, for the fd-relative APIs. */
    Fd openPath(Path directory) throws ErrnoException {
        return new Fd(SYS.openat(Flags.AT_FDCWD, Syscalls.bytes(directory.toString()),
                Flags.O_PATH | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0));
    }

    /** statx of a path given as raw bytes below the scratch directory, not following a final symlink. */
    Stat lstat(byte[] relative) throws ErrnoException {
        try (Fd root = openPath(dir)) {
            return SYS.statx(root.value(), relative, 0);
        }
    }

    Stat lstat(String relative) throws ErrnoException {
        return lstat(Syscalls.bytes(relative));
    }

    record Fd(int value) implements AutoCloseable {
        @Override
        public void close() {
            SYS.close(value);
        }
    }
}
