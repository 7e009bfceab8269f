package dev.lethe.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.linux.ffm.StatxLayout;
import dev.lethe.linux.ffm.SubvolInfoLayout;
import dev.lethe.testing.CHeaders;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every constant in {@link Flags} equals the C headers' value on this machine. Two programs, since
 * glibc 2.36's sys/mount.h and the kernel's linux/mount.h cannot be included together: one with
 * the libc headers, one with the kernel's uapi headers. A name both define must agree in both.
 * The system call numbers are pinned in {@code dev.lethe.linux.ffm.SyscallNumbersTest}.
 */
class ConstantsTest {

    private static final List<String> LIBC = List.of(
            "#define _GNU_SOURCE",
            "#include <fcntl.h>",
            "#include <unistd.h>",
            "#include <signal.h>",
            "#include <dirent.h>",
            "#include <sys/file.h>",
            "#include <sys/stat.h>",
            "#include <sys/mount.h>",
            "#include <linux/openat2.h>");

    private static final List<String> KERNEL = List.of(
            "#include <linux/fcntl.h>",
            "#include <linux/fs.h>",
            "#include <linux/mount.h>",
            "#include <linux/stat.h>",
            "#include <linux/openat2.h>",
            "#include <linux/btrfs.h>",
            "#include <linux/btrfs_tree.h>");

    /** Flags that the headers declare as enum members, not macros: #ifdef cannot see them, an expression can. */
    private static final List<String> ENUM_PREFIXES = List.of("FSCONFIG_");

    @Test
    void everyFlagHasTheValueTheCHeadersGiveIt() throws Exception {
        Map<String, Long> java = javaFlags();
        Map<String, Long> libc = CHeaders.values(LIBC, java.keySet());
        Map<String, Long> kernel = new LinkedHashMap<>(CHeaders.values(KERNEL, java.keySet()));
        Map<String, String> enumMembers = new LinkedHashMap<>();
        java.keySet().stream().filter(name -> ENUM_PREFIXES.stream().anyMatch(name::startsWith))
                .forEach(name -> enumMembers.put(name, name));
        kernel.putAll(CHeaders.evaluate(KERNEL, enumMembers));

        List<String> problems = new ArrayList<>();
        for (var flag : java.entrySet()) {
            String name = flag.getKey();
            Long fromLibc = libc.get(name);
            Long fromKernel = kernel.get(name);
            if (fromLibc == null && fromKernel == null) {
                problems.add(name + ": defined by none of the headers");
            }
            if (fromLibc != null && !fromLibc.equals(flag.getValue())) {
                problems.add(name + ": Java " + hex(flag.getValue()) + ", libc headers " + hex(fromLibc));
            }
            if (fromKernel != null && !fromKernel.equals(flag.getValue())) {
                problems.add(name + ": Java " + hex(flag.getValue()) + ", kernel headers " + hex(fromKernel));
            }
        }
        assertThat(problems).as("Flags against the C headers (libc %s, kernel %s)", libc, kernel).isEmpty();
    }

    /**
     * The statx buffer's layout: every offset in {@link StatxLayout} is {@code offsetof} of its
     * member in the kernel's {@code struct statx} (STX_ATIME_SEC is stx_atime.tv_sec), and SIZE
     * its {@code sizeof}. A wrong offset would read another field without any error.
     */
    @Test
    void everyStatxOffsetIsTheOneTheCHeadersGiveIt() throws Exception {
        Map<String, Long> java = constants(StatxLayout.class);
        Map<String, String> expressions = new LinkedHashMap<>();
        for (String name : java.keySet()) {
            expressions.put(name, name.equals("SIZE") ? "sizeof(struct statx)" : "offsetof(struct statx, " + member(name) + ")");
        }
        assertThat(java).containsKeys("SIZE", "STX_MODE", "STX_INO", "STX_DEV_MAJOR", "STX_MNT_ID", "STX_MTIME_NSEC");
        assertThat(CHeaders.evaluate(List.of("#include <linux/stat.h>"), expressions))
                .as("StatxLayout against the kernel's struct statx").containsExactlyInAnyOrderEntriesOf(java);
    }

    /**
     * The buffer of BTRFS_IOC_GET_SUBVOL_INFO: every offset in {@link SubvolInfoLayout} is
     * {@code offsetof} of its member in {@code struct btrfs_ioctl_get_subvol_info_args}, and SIZE its
     * {@code sizeof} (also encoded in the request number, which the flags test pins).
     */
    @Test
    void everySubvolumeInfoOffsetIsTheOneTheCHeadersGiveIt() throws Exception {
        Map<String, Long> java = constants(SubvolInfoLayout.class);
        Map<String, String> expressions = new LinkedHashMap<>();
        for (String name : java.keySet()) {
            expressions.put(name, name.equals("SIZE") ? "sizeof(struct btrfs_ioctl_get_subvol_info_args)"
                    : "offsetof(struct btrfs_ioctl_get_subvol_info_args, " + name.toLowerCase(Locale.ROOT) + ")");
        }
        assertThat(java).containsKeys("SIZE", "TREEID", "NAME", "GENERATION", "FLAGS", "UUID", "PARENT_UUID", "OTRANSID");
        assertThat(CHeaders.evaluate(List.of("#include <linux/btrfs.h>"), expressions))
                .as("SubvolInfoLayout against the kernel's struct btrfs_ioctl_get_subvol_info_args")
                .containsExactlyInAnyOrderEntriesOf(java);
    }

    /** STX_MTIME_NSEC is stx_mtime.tv_nsec; STX_DEV_MAJOR is stx_dev_major. */
    private static String member(String constant) {
        String lower = constant.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith("_nsec") || (lower.endsWith("_sec"))) {
            int split = lower.lastIndexOf('_');
            return lower.substring(0, split) + ".tv_" + lower.substring(split + 1);
        }
        return lower;
    }

    /** Device numbers are made and split as glibc's makedev, major and minor do, large halves included. */
    @Test
    void deviceNumbersAreGlibcs() throws Exception {
        long[][] pairs = {{8, 1}, {259, 3}, {0xfff, 0xff}, {0x1000, 0x100}, {0xfffff, 0xfffff}, {4095, 1048575}};
        Map<String, String> expressions = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i++) {
            expressions.put("DEV" + i, "makedev(" + pairs[i][0] + "u, " + pairs[i][1] + "u)");
        }
        Map<String, Long> c = CHeaders.evaluate(List.of("#include <sys/sysmacros.h>"), expressions);
        for (int i = 0; i < pairs.length; i++) {
            long device = Stat.makedev(pairs[i][0], pairs[i][1]);
            assertThat(device).as("makedev(%d, %d)", pairs[i][0], pairs[i][1]).isEqualTo(c.get("DEV" + i));
            assertThat(Stat.major(device)).isEqualTo(pairs[i][0]);
            assertThat(Stat.minor(device)).isEqualTo(pairs[i][1]);
        }
    }

    @Test
    void theReflectiveListHoldsTheFlagsLetheDependsOn() throws Exception {
        assertThat(javaFlags()).containsKeys("O_DIRECTORY", "O_NOFOLLOW", "O_PATH", "O_CLOEXEC", "AT_FDCWD",
                "AT_EMPTY_PATH", "AT_SYMLINK_NOFOLLOW", "RESOLVE_NO_SYMLINKS", "RESOLVE_BENEATH", "OPEN_TREE_CLONE",
                "OPEN_TREE_CLOEXEC", "MOVE_MOUNT_F_EMPTY_PATH", "MOVE_MOUNT_T_EMPTY_PATH", "MNT_DETACH",
                "UMOUNT_NOFOLLOW", "RENAME_NOREPLACE", "SEEK_DATA", "SEEK_HOLE", "STATX_MNT_ID",
                "STATX_ATTR_MOUNT_ROOT", "DT_DIR", "SIGKILL", "FSOPEN_CLOEXEC", "FSCONFIG_SET_STRING",
                "FSCONFIG_CMD_CREATE", "FSMOUNT_CLOEXEC", "MOUNT_ATTR_RDONLY", "MOUNT_ATTR_NOATIME", "BTRFS_IOC_SYNC",
                "BTRFS_IOC_TREE_SEARCH_V2", "BTRFS_IOC_GET_SUBVOL_INFO", "BTRFS_ROOT_SUBVOL_RDONLY");
    }

    /** The public static int and long constants of {@link Flags}, by name. */
    private static Map<String, Long> javaFlags() throws IllegalAccessException {
        return constants(Flags.class);
    }

    /** The public static final int and long constants of a class of C constants, by name. */
    private static Map<String, Long> constants(Class<?> holder) throws IllegalAccessException {
        Map<String, Long> flags = new LinkedHashMap<>();
        for (Field field : holder.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (!Modifier.isPublic(modifiers) || !Modifier.isStatic(modifiers) || !Modifier.isFinal(modifiers)) {
                continue;
            }
            if (field.getType() == int.class) {
                flags.put(field.getName(), (long) field.getInt(null));
            } else if (field.getType() == long.class) {
                flags.put(field.getName(), field.getLong(null));
            } else {
                throw new AssertionError(holder.getSimpleName() + "." + field.getName() + " is a " + field.getType() + ", not a C constant");
            }
        }
        return flags;
    }

    private static String hex(long value) {
        return "0x" + Long.toHexString(value) + " (" + value + ")";
    }
}
