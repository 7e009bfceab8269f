package dev.lethe.linux.ffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lethe.testing.CHeaders;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every component of {@link SyscallNumbers} equals the C headers' system call number: SYS_name from
 * sys/syscall.h (or the kernel's __NR_name) for x86_64, and __NR_name from the kernel's generic
 * table (asm-generic/unistd.h, which arm64 uses) for aarch64. The components are found by
 * reflection, so a new system call cannot go unchecked.
 */
class SyscallNumbersTest {

    /**
     * System calls newer than the kernel headers a build machine may have (Debian 12 ships 6.1
     * headers), by C name: their number from the kernel's own tables, used only when the headers
     * lack them. fchmodat2 (Linux 6.6) is 452 in arch/x86/entry/syscalls/syscall_64.tbl and in
     * include/uapi/asm-generic/unistd.h alike.
     */
    private static final Map<String, Long> NEWER_THAN_HEADERS = Map.of("fchmodat2", 452L);

    @Test
    void x86_64NumbersAreTheHeaders() throws Exception {
        String arch = System.getProperty("os.arch");
        assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "the C compiler here targets " + arch + ", not x86_64");
        List<String> names = new ArrayList<>();
        for (String call : javaNumbers(SyscallNumbers.X86_64).keySet()) {
            names.add("SYS_" + call);
            names.add("__NR_" + call);
        }
        Map<String, Long> headers = CHeaders.values(List.of("#include <sys/syscall.h>"), names);
        assertMatches(SyscallNumbers.X86_64, call -> headers.getOrDefault("SYS_" + call, headers.get("__NR_" + call)),
                "x86_64");
    }

    @Test
    void aarch64NumbersAreTheGenericTable() throws Exception {
        CHeaders.assumeCompiler();
        assumeTrue(Files.isRegularFile(Path.of("/usr/include/asm-generic/unistd.h")),
                "needs the kernel headers' asm-generic/unistd.h");
        List<String> names = javaNumbers(SyscallNumbers.AARCH64).keySet().stream().map(c -> "__NR_" + c).toList();
        // arm64's asm/unistd.h defines these before it includes the generic table.
        Map<String, Long> headers = CHeaders.values(List.of(
                "#define __ARCH_WANT_RENAMEAT", "#define __ARCH_WANT_NEW_STAT", "#define __ARCH_WANT_SET_GET_RLIMIT",
                "#define __ARCH_WANT_SYS_CLONE3", "#include <asm-generic/unistd.h>"), names);
        assertMatches(SyscallNumbers.AARCH64, call -> headers.get("__NR_" + call), "aarch64");
    }

    @Test
    void theRunningArchitecturesTableIsChosen() {
        String arch = System.getProperty("os.arch");
        SyscallNumbers expected = switch (arch) {
            case "amd64", "x86_64" -> SyscallNumbers.X86_64;
            case "aarch64" -> SyscallNumbers.AARCH64;
            default -> null;
        };
        assumeTrue(expected != null, "lethe does not run on " + arch);
        assertThat(SyscallNumbers.forRunningArchitecture()).isSameAs(expected);
    }

    @Test
    void componentNamesBecomeCNames() throws Exception {
        assertThat(javaNumbers(SyscallNumbers.X86_64)).containsEntry("open_tree", 428L).containsEntry("move_mount", 429L)
                .containsEntry("openat2", 437L).containsEntry("statx", 332L).containsEntry("pread64", 17L)
                .hasSize(SyscallNumbers.class.getRecordComponents().length);
    }

    private static void assertMatches(SyscallNumbers table, Function<String, Long> header, String arch)
            throws ReflectiveOperationException {
        List<String> problems = new ArrayList<>();
        for (var call : javaNumbers(table).entrySet()) {
            Long expected = header.apply(call.getKey());
            String from = "the headers";
            if (expected == null) {
                expected = NEWER_THAN_HEADERS.get(call.getKey());
                from = "the kernel's table (newer than these headers)";
            }
            if (expected == null) {
                problems.add(call.getKey() + ": no such system call in the " + arch + " headers");
            } else if (!expected.equals(call.getValue())) {
                problems.add(call.getKey() + ": Java " + call.getValue() + ", " + from + " " + expected);
            }
        }
        assertThat(problems).as("%s system call numbers", arch).isEmpty();
    }

    /** Each record component's value, under its C name (openTree becomes open_tree). */
    private static Map<String, Long> javaNumbers(SyscallNumbers table) throws ReflectiveOperationException {
        Map<String, Long> numbers = new LinkedHashMap<>();
        for (RecordComponent component : SyscallNumbers.class.getRecordComponents()) {
            assertThat(component.getType()).as(component.getName()).isEqualTo(int.class);
            String cName = component.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
            numbers.put(cName, (long) (int) component.getAccessor().invoke(table));
        }
        return numbers;
    }
}
