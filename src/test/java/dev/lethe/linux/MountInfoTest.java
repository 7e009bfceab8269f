package dev.lethe.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The mountinfo parser walks each line's spaces by hand; the parser it replaced, which split every
 * line into fields, is kept here as the oracle it must agree with, line for line.
 */
class MountInfoTest {

    /** The earlier parser, as it was: every field split out, the device split at its colon. */
    private static List<MountInfo.Mount> bySplitting(String text) {
        List<MountInfo.Mount> mounts = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(" ");
            int dash = 6;
            while (dash < f.length && !f[dash].equals("-")) {
                dash++;
            }
            String[] majorMinor = f[2].split(":");
            long device = Stat.makedev(Long.parseLong(majorMinor[0]), Long.parseLong(majorMinor[1]));
            mounts.add(new MountInfo.Mount(Integer.parseInt(f[0]), Integer.parseInt(f[1]), device,
                    MountInfo.unescape(f[3]), MountInfo.unescape(f[4]), dash + 1 < f.length ? f[dash + 1] : "",
                    dash + 2 < f.length ? MountInfo.unescape(f[dash + 2]) : ""));
        }
        return mounts;
    }

    @Test
    void agreesWithTheSplittingParserOnThisMachinesTable() throws IOException {
        String table = Files.readString(Path.of("/proc/self/mountinfo"));
        assertThat(MountInfo.parse(table).mounts()).isEqualTo(bySplitting(table)).isNotEmpty();
    }

    @Test
    void agreesWithTheSplittingParserOnGeneratedLines() {
        Random random = new Random(11);
        String[] optional = {"shared:12", "master:3", "propagate_from:2", "unbindable"};
        String[] pieces = {"a", "var", "lib", "\\040", "\\011", "\\012", "\\134", "\\", "x\\04", "-", ":", "é"};
        for (int round = 0; round < 2_000; round++) {
            StringBuilder text = new StringBuilder();
            int lines = 1 + random.nextInt(4);
            for (int l = 0; l < lines; l++) {
                text.append(random.nextInt(100_000)).append(' ').append(random.nextInt(100_000)).append(' ')
                        .append(random.nextInt(4096)).append(':').append(random.nextInt(1 << 20)).append(' ')
                        .append(path(random, pieces)).append(' ').append(path(random, pieces)).append(" rw,relatime");
                int fields = random.nextInt(optional.length + 1);
                for (int i = 0; i < fields; i++) {
                    text.append(' ').append(optional[random.nextInt(optional.length)]);
                }
                switch (random.nextInt(5)) {
                    case 0 -> { }                                   // no separator: no type, no source
                    case 1 -> text.append(" -");                    // a separator and nothing after it
                    case 2 -> text.append(" - tmpfs");              // a type, no source
                    default -> text.append(" - ext4 ").append(path(random, pieces)).append(" rw,seclabel");
                }
                text.append(random.nextInt(6) == 0 ? "\n\n" : "\n");
            }
            if (random.nextBoolean()) {
                text.setLength(text.length() - 1);                  // the last line without its newline
            }
            String table = text.toString();
            assertThat(MountInfo.parse(table).mounts()).as(table).isEqualTo(bySplitting(table));
        }
    }

    private static String path(Random random, String[] pieces) {
        StringBuilder path = new StringBuilder();
        int depth = random.nextInt(4);
        for (int i = 0; i < depth; i++) {
            path.append('/').append(pieces[random.nextInt(pieces.length)]);
        }
        return path.isEmpty() ? "/" : path.toString();
    }

    @Test
    void readsTheFieldsOfALineWithOptionalFieldsAndEscapes() {
        MountInfo.Mount mount = MountInfo.parse(
                "36 35 98:0 /mnt1 /mnt/my\\040disk rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue\n")
                .mounts().getFirst();
        assertThat(mount).isEqualTo(new MountInfo.Mount(36, 35, Stat.makedev(98, 0), "/mnt1", "/mnt/my disk",
                "ext3", "/dev/root"));
    }

    @Test
    void refusesALineWithoutItsMountPointOrDevice() {
        assertThatThrownBy(() -> MountInfo.parse("36 35 98:0 /\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without a mount point");
        assertThatThrownBy(() -> MountInfo.parse("36 35 980 / /mnt rw - ext4 /dev/sda rw\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("major:minor");
        assertThatThrownBy(() -> MountInfo.parse("36 x 98:0 / /mnt rw - ext4 /dev/sda rw\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a number");
    }

    @Test
    void aPathIsUnderItselfItsAncestorsAndTheRootOnly() {
        assertThat(MountInfo.isUnder("/persist/a", "/persist")).isTrue();
        assertThat(MountInfo.isUnder("/persist", "/persist")).isTrue();
        assertThat(MountInfo.isUnder("/persist", "/")).isTrue();
        assertThat(MountInfo.isUnder("/persistent", "/persist")).isFalse();
        assertThat(MountInfo.isUnder("/pers", "/persist")).isFalse();
        assertThat(MountInfo.isUnder("/persist/a", "/persist/a/b")).isFalse();
    }
}
