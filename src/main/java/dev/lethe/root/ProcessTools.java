package dev.lethe.root;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The machine's tools, each run as a child process with stdin closed and stderr merged into stdout. */
public enum ProcessTools implements Tools {
    INSTANCE;

    @Override
    public Result tryRun(List<String> command) throws RootException {
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
