package dev.lethe.root.zfs;

import dev.lethe.testing.Namespaces;
import dev.lethe.testing.Sh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A zfs-fuse daemon of the test run's own. zfs-fuse makes its mounts itself, in its own mount
 * namespace, so it must be started here, inside the private namespace of the run (./test): a daemon
 * started on the host would mount the tests' datasets on the host. Its socket, lock and pool cache
 * directories get tmpfs mounts of this namespace first, so it never meets a daemon the host may run,
 * and leaves nothing behind. {@link #stop} ends it; pools are created with cachefile=none, so none is
 * imported again by a later daemon.
 */
final class ZfsFuse {

    /** Runs a daemon for the whole test class: {@code @ExtendWith(ZfsFuse.ForTheClass.class)}. */
    static final class ForTheClass implements BeforeAllCallback, AfterAllCallback {
        private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ZfsFuse.class);

        @Override
        public void beforeAll(ExtensionContext context) throws Exception {
            context.getStore(NAMESPACE).put("daemon", start());
        }

        @Override
        public void afterAll(ExtensionContext context) throws Exception {
            ZfsFuse daemon = context.getStore(NAMESPACE).remove("daemon", ZfsFuse.class);
            if (daemon != null) {
                daemon.stop();
            }
        }
    }

    /** Where zfs-fuse keeps its socket, its lock and its pool cache (compiled in). */
    private static final List<String> STATE_DIRS = List.of("/run/zfs", "/run/lock/zfs", "/var/lib/zfs");

    private final long pid;

    private ZfsFuse(long pid) {
        this.pid = pid;
    }

    static ZfsFuse start() throws IOException, InterruptedException {
        Namespaces.assumeMountable();
        if (Sh.tryRun("sh", "-c", "command -v zfs-fuse").exit() != 0) {
            throw new IllegalStateException("zfs-fuse is not installed: ./test installs it (apt-get install zfs-fuse)");
        }
        for (String dir : STATE_DIRS) {
            Files.createDirectories(Path.of(dir));
            Sh.run("mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "lethe-zfs-test", dir);
        }
        Path pidFile = Path.of("/run/zfs/lethe-test.pid");
        // --no-kstat-mount: it would mount /zfs-kstat otherwise. It daemonizes and writes its pid.
        Sh.run("zfs-fuse", "--no-kstat-mount", "-p", pidFile.toString());
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (Sh.tryRun("zpool", "list").exit() != 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("zfs-fuse did not answer zpool list within 30 s");
            }
            Thread.sleep(100);
        }
        return new ZfsFuse(Long.parseLong(Files.readString(pidFile).strip()));
    }

    /** Ends the daemon (it unmounts what it mounted) and removes its state directories' mounts. */
    void stop() throws InterruptedException {
        // Every pool this daemon knows is a test's: one left over is destroyed, then reported.
        String pools = Sh.run("zpool", "list", "-H", "-o", "name").strip();
        for (String pool : pools.isEmpty() ? new String[0] : pools.split("\n")) {
            Sh.tryRun("zpool", "destroy", "-f", pool);
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        for (String dir : STATE_DIRS.reversed()) {
            Sh.tryRun("umount", dir);
        }
        if (!pools.isEmpty()) {
            throw new IllegalStateException("pools left imported by a test: " + pools);
        }
    }
}
