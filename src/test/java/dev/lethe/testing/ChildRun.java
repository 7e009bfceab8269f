package dev.lethe.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * lethe run on a machine's root in a JVM of its own, as a unit runs it, with every class it loaded
 * logged: what the boot path loads (a parser, a library) can only be seen from outside the test's JVM,
 * which has loaded everything already.
 */
public record ChildRun(int exit, String out, String err, String classes) {

    public static ChildRun of(Machine m, String... args) throws Exception {
        Path classLog = m.scratch.resolve("classes.log");
        Path out = m.scratch.resolve("child.out");
        Path err = m.scratch.resolve("child.err");
        Files.deleteIfExists(classLog);
        List<String> command = ChildJvm.uncachedCommand("dev.lethe.cli.Main", "-Xlog:class+load=info:file=" + classLog);
        command.addAll(List.of(args));
        command.addAll(List.of("--root", m.root.toString(), "--config", m.config.toString()));
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("lethe did not finish in 120 s: " + String.join(" ", args));
        }
        return new ChildRun(process.exitValue(), Files.readString(out), Files.readString(err), Files.readString(classLog));
    }

    /** Whether a class of this package (or a prefix of its name) was loaded: {@code "org.tomlj."}. */
    public boolean loaded(String prefix) {
        return classes.contains(" " + prefix);
    }
}
