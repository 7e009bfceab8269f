package dev.lethe.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Runs a command for a test and fails loudly if it fails. */
public final class Sh {
    private Sh() {}

    public record Result(int exit, String output) {}

    public static String run(String... command) {
        Result result = tryRun(command);
        if (result.exit() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exit() + "): " + result.output());
        }
        return result.output();
    }

    /** Makes a fresh ext4 filesystem in the file {@code image} of {@code size} ("64M") and loop-mounts it at {@code mountPoint}. */
    public static void mountNewExt4(Path image, String size, Path mountPoint) {
        run("truncate", "-s", size, image.toString());
        run("mkfs.ext4", "-q", "-F", image.toString());
        run("mount", "-o", "loop", image.toString(), mountPoint.toString());
    }

    public static Result tryRun(String... command) {
        try {
            Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(process.waitFor(), output);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
