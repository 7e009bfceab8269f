package dev.lethe.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one guard for tests that mount: they run only as root, in a mount namespace made for this
 * test run, from which no mount propagates. ./test runs the suite that way (as root: {@code unshare
 * --mount --propagation private}) and says so with {@code LETHE_TEST_NAMESPACE=private}; then a
 * namespace that would leak mounts fails the test instead of skipping it.
 */
public final class Namespaces {
    private Namespaces() {}

    /** Set to "private" by ./test when it has made a private mount namespace for the run. */
    static final String PROMISE = "LETHE_TEST_NAMESPACE";

    /** A process above this JVM and its mount namespace ("mnt:[4026531832]"). */
    record Ancestor(long pid, String namespace) {}

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** True when mounts made here stay in this test run: see {@link #whyMountsWouldLeak()}. */
    public static boolean inPrivateMountNamespace() {
        return whyMountsWouldLeak().isEmpty();
    }

    /**
     * Skips the calling test unless it may mount without the host ever seeing it; fails it instead
     * when {@code LETHE_TEST_NAMESPACE=private} promised a private namespace and this one would leak.
     */
    public static void assumeMountable() {
        require(whyMountsWouldLeak(), promisedPrivate(), isRoot());
    }

    static void require(Optional<String> leak, boolean promised, boolean root) {
        if (promised && leak.isPresent()) {
            throw new IllegalStateException(PROMISE + "=private, but mounts made here would leak: " + leak.get());
        }
        assumeTrue(root, "needs root");
        assumeTrue(leak.isEmpty(), () -> "mount tests skipped: " + leak.orElseThrow()
                + "; run the suite with ./test (unshare --mount --propagation private)");
    }

    /**
     * Why a mount made by this JVM could be seen outside the test run, or empty if it cannot. See
     * {@link #whyMountsWouldLeak(String, List, List, boolean)}.
     */
    public static Optional<String> whyMountsWouldLeak() {
        try {
            return whyMountsWouldLeak(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString(),
                    ancestors(), Files.readAllLines(Path.of("/proc/self/mountinfo")), promisedPrivate());
        } catch (IOException e) {
            return Optional.of("cannot read /proc: " + e);
        }
    }

    /**
     * The decision on given facts. Private means both of:
     * <ul>
     * <li>the namespace was made for this run: an ancestor of this JVM is in another mount
     *     namespace. If every ancestor compared shares it, the processes that started the run see
     *     its mounts. Init alone proves nothing when it shares it (in a container, init may be the
     *     run itself); when no ancestor but init can be compared, only the promise vouches for it;</li>
     * <li>no mount in it propagates to a peer group ("shared:" in mountinfo).</li>
     * </ul>
     *
     * @param ancestors the readable ancestors, nearest first
     */
    static Optional<String> whyMountsWouldLeak(String own, List<Ancestor> ancestors, List<String> mountinfo,
                                              boolean promised) {
        boolean madeForThisRun = ancestors.stream().anyMatch(a -> !a.namespace().equals(own));
        if (!madeForThisRun) {
            boolean sharedWithStarter = ancestors.stream().anyMatch(a -> a.pid() > 1);
            if (sharedWithStarter) {
                return Optional.of("this JVM shares its mount namespace " + own + " with the processes that started it");
            }
            if (!promised) {
                return Optional.of("no process that started this JVM shows that its mount namespace " + own
                        + " was made for this run");
            }
        }
        for (String line : mountinfo) {
            String[] fields = line.split(" - ", 2)[0].split(" ");
            for (int i = 6; i < fields.length; i++) {
                if (fields[i].startsWith("shared:")) {
                    return Optional.of("mount " + fields[4] + " propagates to other namespaces (" + fields[i] + ")");
                }
            }
        }
        return Optional.empty();
    }

    /** This JVM's ancestors with their mount namespaces, nearest first, up to init or the first unreadable one. */
    private static List<Ancestor> ancestors() {
        List<Ancestor> ancestors = new ArrayList<>();
        for (Optional<ProcessHandle> p = ProcessHandle.current().parent(); p.isPresent(); p = p.get().parent()) {
            long pid = p.get().pid();
            try {
                ancestors.add(new Ancestor(pid, Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/mnt")).toString()));
            } catch (IOException unreadable) {
                break;
            }
            if (pid <= 1) {
                break;
            }
        }
        return ancestors;
    }

    private static boolean promisedPrivate() {
        return "private".equals(System.getenv(PROMISE));
    }
}
