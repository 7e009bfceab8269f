package dev.lethe.linux;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What /proc/self/status says of the directories this process makes, and when that is exactly what is asked. */
class CreatorTest {

    private static final String STATUS = """
            Name:\tjava
            Umask:\t0022
            State:\tR (running)
            Uid:\t0\t0\t0\t0
            Gid:\t0\t0\t0\t0
            """;

    @Test
    void readsTheUmaskAndTheFilesystemIds() {
        assertThat(Creator.parse(STATUS)).isEqualTo(new Creator(0022, 0, 0));
        assertThat(Creator.parse(STATUS.replace("Uid:\t0\t0\t0\t0", "Uid:\t0\t0\t0\t1000")
                .replace("Gid:\t0\t0\t0\t0", "Gid:\t0\t0\t0\t100"))).isEqualTo(new Creator(0022, 1000, 100));
    }

    @Test
    void aStatusWithoutOneOfItsLinesKnowsNothing() {
        assertThat(Creator.parse(STATUS.replace("Umask:\t0022\n", ""))).isEqualTo(Creator.UNKNOWN);
        assertThat(Creator.parse(STATUS.replace("Uid:\t0\t0\t0\t0\n", ""))).isEqualTo(Creator.UNKNOWN);
        assertThat(Creator.parse(STATUS.replace("Gid:\t0\t0\t0\t0", "Gid:\t0\t0"))).isEqualTo(Creator.UNKNOWN);
        assertThat(Creator.parse(STATUS.replace("0022", "0x22"))).isEqualTo(Creator.UNKNOWN);
        assertThat(Creator.parse("")).isEqualTo(Creator.UNKNOWN);
    }

    @Test
    void makesARootOwnedDirectoryInOneStepOnlyWhenMkdirGivesExactlyTheMode() {
        Creator root = new Creator(0022, 0, 0);
        assertThat(root.makesRootOwned(0755)).isTrue();
        assertThat(root.makesRootOwned(0700)).isTrue();
        assertThat(root.makesRootOwned(01755)).as("the sticky bit, which mkdir sets").isTrue();
        assertThat(root.makesRootOwned(0775)).as("the umask takes group write").isFalse();
        assertThat(root.makesRootOwned(02755)).as("setgid, which mkdir does not set").isFalse();
        assertThat(root.makesRootOwned(04755)).as("setuid").isFalse();
        assertThat(new Creator(0022, 0, 100).makesRootOwned(0755)).as("another filesystem group").isFalse();
        assertThat(new Creator(0022, 1000, 0).makesRootOwned(0755)).as("another filesystem user").isFalse();
        assertThat(Creator.UNKNOWN.makesRootOwned(0755)).isFalse();
        assertThat(Creator.ofThisProcess().umask()).as("this machine's kernel has the Umask line").isBetween(0, 0777);
    }
}
