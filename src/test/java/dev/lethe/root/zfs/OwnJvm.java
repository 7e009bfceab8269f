package dev.lethe.root.zfs;

import dev.lethe.testing.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A main class of lethe or of the tests in a JVM of its own: the crash tests kill it (LETHE_TEST_CRASH_AT). */
final class OwnJvm {
    private OwnJvm() {}

    /** Its exit code and its output, stdout and stderr together. */
    record Run(int exit, String output) {
        String lastLine() {
            String[] lines = output.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    /** Runs {@code main} with {@code args}, killed before its {@code crashAt}-th step unless that is -1. */
    static Run run(int crashAt, Class<?> main, String... args) throws Exception {
        List<String> command = ChildJvm.command(main.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        if (crashAt > 0) {
            builder.environment().put("LETHE_TEST_CRASH_AT", Integer.toString(crashAt));
        } else {
            builder.environment().remove("LETHE_TEST_CRASH_AT");
        }
        builder.redirectErrorStream(true);
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(main.getSimpleName() + " did not finish in 5 minutes: " + output);
        }
        return new Run(process.exitValue(), output);
    }
}
