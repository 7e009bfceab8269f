package dev.lethe.root;

import dev.lethe.linux.CrashPoints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the filesystem's own tools (btrfs, zfs, mount). The wipe is a handful of such steps; each
 * is a crash point for the crash-safety tests, and a failure names the command and what it said.
 */
public final class Tool {
    private Tool() {}

    /** The output of a command that succeeded. */
    public static String run(String... command) throws RootException {
        return run(List.of(command));
    }

    public static String run(List<String> command) throws RootException {
        CrashPoints.beforeStep();
        Result result = tryRun(command);
        if (result.exit() != 0) {
            throw new RootException(String.join(" ", command) + " failed (exit " + result.exit() + "): "
                    + result.output().strip());
        }
        return result.output();
    }

    /** Exit code and combined output of a command, whatever its exit code; for probes that may fail. */
    public record Result(int exit, String output) {}

    public static Result tryRun(List<String> command) throws RootException {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new RootException(String.join(" ", command) + " did not finish in 10 minutes");
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new RootException("cannot run " + command.getFirst() + ": " + e.getMessage()
                    + " (is its package installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RootException("interrupted while running " + command.getFirst(), e);
        }
    }
}
