package dev.lethe.root;

import dev.lethe.linux.CrashPoints;
import java.util.List;

/**
 * Runs the filesystem's own tools (btrfs, zfs, mount, du). The wipe is a handful of such steps; each
 * is a crash point for the crash-safety tests, and a failure names the command and what it said.
 * Production runs processes ({@link ProcessTools}); the composition root hands it to the strategies
 * in their {@link RootContext}.
 */
public interface Tools {

    /** Exit code and combined output of a command, whatever its exit code; for probes that may fail. */
    record Result(int exit, String output) {}

    /** Runs {@code command} and returns its exit code and output; changes nothing by itself, so no crash point. */
    Result tryRun(List<String> command) throws RootException;

    /** The output of a command that succeeded; a crash point before it runs. */
    default String run(List<String> command) throws RootException {
        CrashPoints.beforeStep();
        Result result = tryRun(command);
        if (result.exit() != 0) {
            throw new RootException(String.join(" ", command) + " failed (exit " + result.exit() + "): "
                    + result.output().strip());
        }
        return result.output();
    }

    default String run(String... command) throws RootException {
        return run(List.of(command));
    }
}
