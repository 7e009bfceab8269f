package dev.lethe.root.overlay;

import dev.lethe.testing.Contexts;
import dev.lethe.archive.ArchiveRef;
import dev.lethe.root.RootStrategy.WipeRequest;
import dev.lethe.root.RootStrategy.WipeResult;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The overlay strategy in a process of its own, for crash injection (LETHE_TEST_CRASH_AT=N kills it
 * before its N-th mutation) and for bench/wipe-overlay.sh:
 * <pre>
 *   wipe    ROOT UPPER EPOCH-SECONDS DEGRADED(true|false)
 *   destroy ROOT UPPER ID
 * </pre>
 * Prints what it did and, for wipe, how long {@code wipe()} itself took.
 */
public final class OverlayMain {
    private OverlayMain() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[1]);
        // The overlay strategy mounts nothing, so it never uses the scratch directory; a killed run leaves none behind.
        Path scratch = Path.of(System.getProperty("java.io.tmpdir"));
        OverlayStrategy strategy = new OverlayStrategy(OverlayRig.config(args[2]), Contexts.of(root, List.of(), scratch));
        switch (args[0]) {
            case "wipe" -> {
                WipeRequest request = new WipeRequest(Instant.ofEpochSecond(Long.parseLong(args[3])), Boolean.parseBoolean(args[4]));
                strategy.archives();  // loads the native binding first, so the time below is the wipe's own
                long start = System.nanoTime();
                WipeResult result = strategy.wipe(request);
                long micros = (System.nanoTime() - start) / 1000;
                result.sentences().forEach(step -> System.out.println("done " + step));
                System.out.println("wipe() took " + micros + " us");
            }
            case "destroy" -> {
                ArchiveRef archive = strategy.archives().stream().filter(a -> a.id().equals(args[3])).findFirst().orElseThrow();
                strategy.destroy(archive);
                System.out.println("destroyed " + archive.id());
            }
            default -> throw new IllegalArgumentException("wipe or destroy, not " + args[0]);
        }
    }
}
