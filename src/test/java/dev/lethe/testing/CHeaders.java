package dev.lethe.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The values of C constants as the system's headers define them: writes a C program that includes
 * the headers and prints every name they define, compiles it with gcc and runs it. To pin Java
 * copies of kernel and libc constants against their source.
 */
public final class CHeaders {
    private CHeaders() {}

    /** Skips the calling test when there is no gcc on the PATH. */
    public static void assumeCompiler() {
        assumeTrue(gcc() != null, "needs gcc to read the C headers");
    }

    /**
     * The value of each of {@code names} that the headers define after {@code prelude} (lines such
     * as {@code #define _GNU_SOURCE} and {@code #include <fcntl.h>}); names they do not define are
     * absent from the result. Fails if the program does not compile or run.
     */
    public static Map<String, Long> values(List<String> prelude, Collection<String> names) throws IOException {
        StringBuilder body = new StringBuilder();
        for (String name : names) {
            requireIdentifier(name);
            body.append("#ifdef ").append(name).append('\n')
                    .append("    printf(\"").append(name).append(" %lld\\n\", (long long) (").append(name).append("));\n")
                    .append("#endif\n");
        }
        return compileAndRun(prelude, body);
    }

    /**
     * The value of each C expression (an {@code offsetof}, a {@code sizeof}) after {@code prelude},
     * by the name it is given. Fails if one does not compile: a member the headers lack is an error.
     */
    public static Map<String, Long> evaluate(List<String> prelude, Map<String, String> expressions) throws IOException {
        StringBuilder body = new StringBuilder();
        expressions.forEach((name, expression) -> {
            requireIdentifier(name);
            body.append("    printf(\"").append(name).append(" %lld\\n\", (long long) (").append(expression).append("));\n");
        });
        return compileAndRun(prelude, body);
    }

    private static void requireIdentifier(String name) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("not a C identifier: " + name);
        }
    }

    private static Map<String, Long> compileAndRun(List<String> prelude, CharSequence body) throws IOException {
        assumeCompiler();
        StringBuilder c = new StringBuilder();
        prelude.forEach(line -> c.append(line).append('\n'));
        c.append("#include <stddef.h>\n#include <stdio.h>\nint main(void) {\n").append(body);
        c.append("    return 0;\n}\n");

        Path dir = Files.createTempDirectory("lethe-cheaders");
        try {
            Path source = dir.resolve("constants.c");
            Path binary = dir.resolve("constants");
            Files.writeString(source, c);
            run(List.of(gcc().toString(), "-Wall", "-Werror", "-o", binary.toString(), source.toString()), c);
            Map<String, Long> values = new LinkedHashMap<>();
            for (String line : run(List.of(binary.toString()), c).lines().toList()) {
                String[] parts = line.split(" ");
                values.put(parts[0], Long.parseLong(parts[1]));
            }
            return values;
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    private static String run(List<String> command, CharSequence program) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output + "\nprogram:\n" + program);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return output;
    }

    private static Path gcc() {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path).split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "gcc");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
