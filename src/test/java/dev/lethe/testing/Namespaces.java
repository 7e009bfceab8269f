package dev.lethe.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Guards for tests that mount: they run only as root, in a mount namespace of their own. */
public final class Namespaces {
    private Namespaces() {}

    /**
     * True when this process's mount namespace is not the one ./test started in: ./test records
     * that one in LETHE_HOST_MNT_NS, then runs the suite under unshare. Without it, compare with
     * PID 1's, where that can be read.
     */
    public static boolean inPrivateMountNamespace() {
        try {
            Path mine = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt"));
            String host = System.getenv("LETHE_HOST_MNT_NS");
            if (host != null && !host.isBlank()) {
                return !mine.toString().equals(host);
            }
            return !mine.equals(Files.readSymbolicLink(Path.of("/proc/1/ns/mnt")));
        } catch (IOException e) {
            return false;
        }
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Skips the calling test unless it may mount without the host ever seeing it. */
    public static void assumeMountable() {
        if ("private".equals(System.getenv("LETHE_TEST_NAMESPACE")) && !inPrivateMountNamespace()) {
            throw new IllegalStateException("LETHE_TEST_NAMESPACE=private, but this is the host's mount namespace");
        }
        assumeTrue(isRoot(), "needs root");
        assumeTrue(inPrivateMountNamespace(),
                "needs a private mount namespace: run the suite with ./test (unshare --mount --propagation private)");
    }
}
