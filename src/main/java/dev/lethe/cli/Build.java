package dev.lethe.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the running lethe's build is: lethe.jar, lib/, runtime/ and lethe.aot. */
final class Build {
    private Build() {}

    /**
     * {@code -Dlethe.home} is the repository in a development checkout (the build in its target/)
     * and the installed directory (/usr/lib/lethe) once installed.
     */
    static Path locate() {
        String home = System.getProperty("lethe.home");
        if (home == null) {
            throw new EnvironmentException("lethe.home is not set: run lethe through its launcher (./lethe or /usr/sbin/lethe)");
        }
        Path target = Path.of(home, "target");
        return Files.isRegularFile(target.resolve("lethe.jar")) ? target : Path.of(home);
    }
}
