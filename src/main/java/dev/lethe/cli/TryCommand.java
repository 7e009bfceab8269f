package dev.lethe.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "try", description = "A sandboxed demo: a throwaway machine in a private mount namespace boots, "
        + "is written to, reboots, and shows what survived. Touches none of this machine's files.")
final class TryCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        Session.requireRoot("lethe try");
        String home = System.getProperty("lethe.home");
        if (home == null) {
            throw new EnvironmentException("lethe try runs from the launcher (./lethe try), which knows where its demo lives");
        }
        Path script = Path.of(home, "libexec", "lethe-try");
        if (!Files.isRegularFile(script)) {
            throw new EnvironmentException("the demo script " + script + " is missing");
        }
        // A private mount namespace: every mount the demo makes vanishes with it, whatever happens.
        Process demo = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "bash", script.toString())
                .inheritIO().start();
        return demo.waitFor();
    }
}
