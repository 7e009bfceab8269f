package dev.lethe.config;

import static dev.lethe.config.ConfigLoaderTest.FILE;
import static dev.lethe.config.ConfigLoaderTest.onlyErrorOf;
import static dev.lethe.config.ConfigLoaderTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.config.RootConfig.Retention;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Origin;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every rule on a [root] value that needs no machine is a config error with the file and line of
 * the value, reported by check before any strategy runs (it used to be the strategy's refusal, at
 * wipe time). The strategies are handed only records that keep these rules.
 */
class RootConfigParseTest {

    private static String btrfs(String subvolume, String blank) {
        return "[root]\nstrategy = \"btrfs\"\ndevice = \"/dev/sda2\"\nsubvolume = \"" + subvolume
                + "\"\nblank = \"" + blank + "\"\n";
    }

    private static final int SUBVOLUME_LINE = 4;
    private static final int BLANK_LINE = 5;

    private static void assertRootError(String toml, int line, String... phrases) {
        ConfigError error = onlyErrorOf(toml);
        assertThat(error.origin()).as(error.toString()).isEqualTo(new Origin(FILE, line));
        assertThat(error.message()).contains(phrases);
    }

    @Nested
    class Btrfs {

        @Test
        void leadingSlashesAreDroppedOnceWhenRead() throws Exception {
            // As mount's subvol= option writes them; the strategies and the initrd see "@root".
            assertThat(parse(btrfs("/@root", "//roots/@root-blank")).root()).isEqualTo(new RootConfig.Btrfs(
                    "/dev/sda2", "@root", "roots/@root-blank", Retention.UNDECLARED, new Origin(FILE, 1)));
        }

        @Test
        void theBlankCannotBeTheRootItselfEvenWrittenWithASlash() {
            assertRootError(btrfs("@root", "/@root"), BLANK_LINE, "blank is the same subvolume as subvolume (\"@root\")");
        }

        @Test
        void theBlankAndTheRootCannotLieOneInsideTheOther() {
            assertRootError(btrfs("@root", "@root/blank"), BLANK_LINE, "lie one inside the other");
            assertRootError(btrfs("roots/@root", "roots"), BLANK_LINE, "lie one inside the other");
        }

        @Test
        void neitherLiesInTheArchivesDirectory() {
            assertRootError(btrfs("lethe-archives/x", "@root-blank"), SUBVOLUME_LINE,
                    "subvolume: \"lethe-archives/x\" lies in lethe-archives");
            assertRootError(btrfs("@root", "/lethe-archives"), BLANK_LINE, "blank: \"lethe-archives\" lies in lethe-archives");
        }

        @ParameterizedTest
        @ValueSource(strings = {"../@root", "roots/./@root", "roots//@root", "@root/", "/", "roots/.."})
        void aPathWithAnEmptyDotOrDotDotComponentIsNotASubvolumeFromTheTopLevel(String subvolume) {
            assertRootError(btrfs(subvolume, "@root-blank"), SUBVOLUME_LINE, "is not a subvolume path from the top level");
        }

        @ParameterizedTest
        @ValueSource(strings = {"@ro\\tot", "@root\\n"})
        void tabsAndNewlinesWouldBreakTheRegistryOfArchives(String blank) {
            assertRootError(btrfs("@root", blank), BLANK_LINE, "blank: ", "contains a tab, newline or NUL");
        }
    }

    @Nested
    class Zfs {

        private static String zfs(String dataset, String blank) {
            return "[root]\nstrategy = \"zfs\"\ndataset = \"" + dataset + "\"\n" + (blank == null ? "" : "blank = \"" + blank + "\"\n");
        }

        @ParameterizedTest
        @ValueSource(strings = {"rpool", "/rpool/root", "rpool/root@blank", "rpool/my root", "rpool/root/", "rpool//root"})
        void theDatasetMustBeADatasetInsideAPool(String dataset) {
            assertRootError(zfs(dataset, null), 3, "dataset: \"" + dataset + "\" must be a dataset inside a pool");
        }

        @Test
        void theDatasetHasNoDotOrDotDotComponent() {
            assertRootError(zfs("rpool/..", null), 3, "has a . or .. component");
            assertRootError(zfs("rpool/./root", null), 3, "has a . or .. component");
        }

        @Test
        void theDatasetDoesNotLieInThePoolsArchives() {
            assertRootError(zfs("rpool/lethe-archives", null), 3, "lies in rpool/lethe-archives");
            assertRootError(zfs("rpool/lethe-archives/root.20260101T000000Z", null), 3, "lies in rpool/lethe-archives");
        }

        @ParameterizedTest
        @ValueSource(strings = {"rpool/root@blank", "@blank", "bl ank", "a/b"})
        void theBlankIsASnapshotNameAlone(String blank) {
            assertRootError(zfs("rpool/root", blank), 4, "blank: \"" + blank + "\" must be a snapshot name");
        }

        @Test
        void aValidDatasetAndBlankAreRead() throws Exception {
            assertThat(parse(zfs("rpool/local/root", "pristine")).root()).isEqualTo(
                    new RootConfig.Zfs("rpool/local/root", "pristine", Retention.UNDECLARED, new Origin(FILE, 1)));
        }
    }

    @Nested
    class Overlay {

        @ParameterizedTest
        @ValueSource(strings = {"/over,lay", "/over:lay", "/over\\\\lay"})
        void upperCannotHoldWhatOverlayMountOptionsCannotCarry(String upper) {
            ConfigError error = onlyErrorOf("[root]\nstrategy = \"overlay\"\nupper = \"" + upper + "\"\n");
            String written = upper.replace("\\\\", "\\");
            assertThat(error.toString()).startsWith(FILE + ":3: " + written + ": ");
            assertThat(error.message()).contains("which overlay mount options cannot carry");
        }

        @Test
        void upperCannotLieInAStoreNorHoldOne() {
            // Overlay archives are pruned, and lethe never deletes data in a store.
            String root = "[root]\nstrategy = \"overlay\"\nupper = \"/overlay/layers\"\n";
            ConfigError inside = onlyErrorOf(root + "[[store]]\npath = \"/overlay\"\n");
            assertThat(inside.toString()).startsWith(FILE + ":4: /overlay: [root] upper /overlay/layers is inside this store");
            ConfigError same = onlyErrorOf(root.replace("/overlay/layers", "/persist") + "[[store]]\npath = \"/persist\"\n");
            assertThat(same.message()).contains("is inside this store");
            ConfigError above = onlyErrorOf(root + "[[store]]\npath = \"/overlay/layers/persist\"\n");
            assertThat(above.toString()).startsWith(FILE + ":4: /overlay/layers/persist: [root] upper /overlay/layers contains this store");
        }

        @Test
        void upperCannotBeTheRoot() {
            assertRootError("[root]\nstrategy = \"overlay\"\nupper = \"/\"\n", 3, "upper cannot be /");
        }
    }

    /** The records keep the rules too, so a strategy built without the reader (a test, a tool) cannot skip them. */
    @Test
    void theRecordsRefuseValuesThatBreakTheRules() {
        Origin origin = new Origin(FILE, 1);
        assertThatThrownBy(() -> new RootConfig.Btrfs("/dev/sda2", "@root", "@root", Retention.UNDECLARED, origin))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same subvolume");
        assertThatThrownBy(() -> new RootConfig.Btrfs("/dev/sda2", "/@root", "@blank", Retention.UNDECLARED, origin))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a subvolume path");
        assertThatThrownBy(() -> new RootConfig.Zfs("rpool", "blank", Retention.UNDECLARED, origin))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inside a pool");
        assertThatThrownBy(() -> new RootConfig.Overlay(AbsolutePath.of("/a,b"), Optional.empty(), Retention.UNDECLARED, origin))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot carry");
    }
}
