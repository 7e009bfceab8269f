package dev.lethe.root.zfs;

import dev.lethe.testing.Contexts;
import dev.lethe.config.RootConfig;
import dev.lethe.config.RootConfig.Retention;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Origin;
import dev.lethe.root.RootContext;
import dev.lethe.root.RootStrategy.WipeRequest;
import dev.lethe.root.RootStrategy.WipeResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * One wipe in a process of its own, for the crash tests (LETHE_TEST_CRASH_AT kills it) and the
 * benchmark: {@code ZfsWipeMain DATASET BLANK MANAGED_ROOT EPOCH_SECONDS degraded|normal SCRATCH_PARENT}. Prints
 * the archive's id last; exits 1 on a refusal.
 */
public final class ZfsWipeMain {
    private ZfsWipeMain() {}

    public static void main(String[] args) throws Exception {
        RootConfig.Zfs config = new RootConfig.Zfs(args[0], args[1], Retention.UNDECLARED, new Origin("lethe.toml", 2));
        Path scratch = Files.createTempDirectory(Path.of(args[5]), "wipe");
        RootContext context = Contexts.of(Path.of(args[2]), List.of(AbsolutePath.of("/persist")), scratch);
        WipeRequest request = new WipeRequest(Instant.ofEpochSecond(Long.parseLong(args[3])), args[4].equals("degraded"));
        try {
            long start = System.nanoTime();
            WipeResult result = new ZfsStrategy(config, context).wipe(request);
            long micros = (System.nanoTime() - start) / 1000;
            result.sentences().forEach(step -> System.out.println("done " + step));
            System.out.println("wipe took " + micros / 1000 + " ms");
            System.out.println(result.archive().id());
        } catch (java.io.IOException e) {
            System.out.println("refused: " + e.getMessage());
            System.exit(1);
        } finally {
            Files.deleteIfExists(scratch);
        }
    }
}
