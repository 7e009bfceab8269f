package dev.lethe.linux.ffm;

/**
 * System call numbers for the architectures lethe runs on: x86_64 (arch/x86/entry/syscalls/syscall_64.tbl)
 * and aarch64 (include/uapi/asm-generic/unistd.h). Pinned against the C headers by a test.
 */
record SyscallNumbers(
        int pread64, int pwrite64, int close, int lseek, int fsync, int ftruncate,
        int getdents64, int openat, int openat2, int mkdirat, int mknodat, int fchownat, int fchmod,
        int fchmodat, int unlinkat, int renameat2, int linkat, int symlinkat, int readlinkat,
        int utimensat, int statx, int flistxattr, int fgetxattr, int fsetxattr, int openTree,
        int moveMount, int umount2, int fchmodat2, int flock, int ioctl, int fsopen, int fsconfig, int fsmount) {

    static final SyscallNumbers X86_64 = new SyscallNumbers(
            17, 18, 3, 8, 74, 77,
            217, 257, 437, 258, 259, 260, 91,
            268, 263, 316, 265, 266, 267,
            280, 332, 196, 193, 190, 428,
            429, 166, 452, 73, 16, 430, 431, 432);

    static final SyscallNumbers AARCH64 = new SyscallNumbers(
            67, 68, 57, 62, 82, 46,
            61, 56, 437, 34, 33, 54, 52,
            53, 35, 276, 37, 36, 78,
            88, 291, 13, 10, 7, 428,
            429, 39, 452, 32, 29, 430, 431, 432);

    static SyscallNumbers forRunningArchitecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64" -> AARCH64;
            default -> throw new UnsupportedOperationException(
                    "lethe knows the system call numbers of x86_64 and aarch64 only, not " + arch);
        };
    }
}
