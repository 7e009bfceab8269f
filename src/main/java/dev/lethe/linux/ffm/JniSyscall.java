package dev.lethe.linux.ffm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * libc's {@code syscall()} through JNI: one C function of ten lines (src/main/native/lethe_syscall.c)
 * that returns the call's result, or -errno when it fails. {@link FfmSyscalls} calls through it when
 * its library loads, and through the FFM downcall otherwise; both run the same system call with the
 * same arguments. Why two: building the FFM downcall handle costs tens of milliseconds of start-up
 * at every boot (the linker generates and loads its stub), where JNI looks one symbol up at the
 * first call. Native memory stays java.lang.foreign's either way.
 *
 * <p>The library: the file named by the system property {@value #PROPERTY}, else
 * {@code liblethe.so} in the running Java runtime's {@code lib/} (scripts/build puts it in the
 * jlink'd runtime, which install and the package copy whole), else none.
 */
final class JniSyscall {
    private JniSyscall() {}

    static final String PROPERTY = "lethe.syscall.library";

    /** The library the calls go through, if it loaded. */
    static final Optional<Path> LIBRARY = load();

    /** The system call's result, or -errno. */
    static native long syscall(long number, long a, long b, long c, long d, long e, long f);

    private static Optional<Path> load() {
        String named = System.getProperty(PROPERTY);
        Path library = named != null ? Path.of(named) : Path.of(System.getProperty("java.home"), "lib", "liblethe.so");
        if (!Files.isRegularFile(library)) {
            return Optional.empty();
        }
        try {
            System.load(library.toAbsolutePath().toString());
            return Optional.of(library);
        } catch (UnsatisfiedLinkError e) {
            // another architecture's build, or a damaged file: the FFM downcall serves
            return Optional.empty();
        }
    }
}
