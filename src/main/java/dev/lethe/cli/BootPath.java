package dev.lethe.cli;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Stage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The boot service's command, {@code apply --boot STAGE [--root DIR] [--config FILE] [--cache-in STORE]}, the
 * capture service's {@code apply --cache-in STORE [--root DIR] [--config FILE]}, and {@code --version}, parsed
 * without picocli. Building picocli's command model costs about 90 ms
 * of reflection at every start, which every boot would pay; these few options do not need it.
 * Anything else, including any mistake, goes to picocli, which owns the help and the errors.
 */
final class BootPath {
    private BootPath() {}

    /** The exit code, or null if these arguments are not for the fast path. */
    static Integer run(String[] args) {
        if (args.length == 1 && args[0].equals("--version")) {
            System.out.println(new Main.Version().getVersion()[0]);
            return ExitCode.OK;
        }
        if (args.length < 3 || !args[0].equals("apply")) {
            return null;
        }
        Stage boot = null;
        Path root = Path.of("/");
        Path config = null;
        AbsolutePath cacheIn = null;
        for (int i = 1; i < args.length; i++) {
            String option = args[i];
            String value;
            int equals = option.indexOf('=');
            if (equals > 0) {
                value = option.substring(equals + 1);
                option = option.substring(0, equals);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                return null;
            }
            switch (option) {
                case "--boot" -> boot = switch (value) {
                    case "system" -> Stage.SYSTEM;
                    case "initrd" -> Stage.INITRD;
                    default -> null;
                };
                case "--root" -> root = Path.of(value);
                case "--config", "-c" -> config = Path.of(value);
                case "--cache-in" -> {
                    if (AbsolutePath.problemWith(value) != null) {
                        return null;
                    }
                    cacheIn = AbsolutePath.of(value);
                }
                default -> {
                    return null;
                }
            }
            if (boot == null && option.equals("--boot")) {
                return null;
            }
        }
        // apply --boot STAGE, or the capture unit's apply --cache-in STORE (all entries, every line)
        if ((boot == null && cacheIn == null) || (cacheIn != null && boot == Stage.INITRD)) {
            return null;
        }
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        try {
            return Apply.run(root, CommonOptions.configFile(root, config), boot, Optional.ofNullable(cacheIn), out, err);
        } catch (Exception e) {
            return Main.handle(e, err);
        } finally {
            // all of it written before Main halts the JVM (no shutdown sequence flushes anything)
            out.flush();
            err.flush();
        }
    }
}
