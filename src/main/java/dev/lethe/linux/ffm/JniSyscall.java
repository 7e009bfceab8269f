package dev.lethe.linux.ffm;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * libc's {@code syscall()} through JNI: a C function of a few lines (src/main/native/lethe_syscall.c)
 * that returns the call's result, or -errno when it fails, and one that gives a direct buffer's
 * address, the memory the calls point at. {@link FfmSyscalls} calls through it when
 * its library loads, and through the FFM downcall otherwise; both run the same system call with the
 * same arguments. Why two: building the FFM downcall handle costs tens of milliseconds of start-up
 * at every boot (the linker generates and loads its stub), where JNI looks one symbol up at the
 * first call.
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

    /** The address of a direct buffer's memory ({@code GetDirectBufferAddress}), 0 for another buffer. */
    static native long address(ByteBuffer buffer);

    private static Optional<Path> load() {
        String named = System.getProperty(PROPERTY);
        Path library = named != null ? Path.of(named) : Path.of(System.getProperty("java.home"), "lib", "liblethe.so");
        if (!Files.isRegularFile(library)) {
            return Optional.empty();
        }
        try {
            System.load(library.toAbsolutePath().toString());
            // JNI binds each function at its first call: a library built before one of them existed
            // (another lethe's runtime) must fail here, where the downcall can still serve.
            if (address(ByteBuffer.allocateDirect(8)) == 0) {
                return Optional.empty();
            }
            return Optional.of(library);
        } catch (UnsatisfiedLinkError e) {
            // another architecture's build, or a damaged file: the FFM downcall serves
            return Optional.empty();
        }
    }
}
