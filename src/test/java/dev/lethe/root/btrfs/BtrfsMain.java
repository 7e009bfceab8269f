package dev.lethe.root.btrfs;

import dev.lethe.testing.Contexts;
import dev.lethe.archive.ArchiveRef;
import dev.lethe.model.AbsolutePath;
import dev.lethe.root.RootException;
import dev.lethe.root.RootStrategy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Runs one strategy operation in a process of its own, for crash injection (LETHE_TEST_CRASH_AT)
 * and the benchmark, until the CLI has a wipe command:
 * <pre>
 *   BtrfsMain wipe    DEVICE SUBVOLUME BLANK SCRATCH NOW [degraded]
 *   BtrfsMain destroy DEVICE SUBVOLUME BLANK SCRATCH ARCHIVE
 *   BtrfsMain list    DEVICE SUBVOLUME BLANK SCRATCH
 * </pre>
 * Prints what it did and the time the operation took inside the process. Exit 0 on success, 2 on
 * a refusal.
 */
public final class BtrfsMain {
    private BtrfsMain() {}

    public static void main(String[] args) throws Exception {
        Path scratch = Path.of(args[4]);
        Files.createDirectories(scratch);
        RootStrategy strategy = new BtrfsStrategy(BtrfsDisk.config(args[1], args[2], args[3]),
                Contexts.of(Path.of("/nonexistent-root"), List.<AbsolutePath>of(), scratch));
        try {
            long start = System.nanoTime();
            switch (args[0]) {
                case "wipe" -> {
                    var request = new RootStrategy.WipeRequest(Instant.parse(args[5]),
                            args.length > 6 && args[6].equals("degraded"));
                    var result = strategy.wipe(request);
                    report(start, "wipe");
                    result.sentences().forEach(System.out::println);
                }
                case "destroy" -> {
                    strategy.destroy(new ArchiveRef(args[5], Instant.EPOCH, false));
                    report(start, "destroy");
                }
                case "list" -> {
                    List<ArchiveRef> archives = strategy.archives();
                    report(start, "list of " + archives.size() + " archives");
                }
                default -> throw new IllegalArgumentException("unknown operation " + args[0]);
            }
        } catch (RootException e) {
            System.err.println("refused: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void report(long start, String what) {
        System.out.printf("%s took %.1f ms%n", what, (System.nanoTime() - start) / 1e6);
    }
}
