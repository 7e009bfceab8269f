package dev.lethe.boot;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Small helpers for rendering POSIX shell. */
final class Shell {
    private Shell() {}

    /** A single-quoted shell word that stands for exactly {@code value}. */
    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** A fragment shipped beside this class ({@code dev/lethe/boot/NAME}). */
    static String fragment(String name) {
        try (InputStream in = Shell.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource dev/lethe/boot/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
