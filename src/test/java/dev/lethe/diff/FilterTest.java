package dev.lethe.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.config.Accounts;
import dev.lethe.config.ConfigLoader;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule written in {@link Filter}'s comment, path by path. */
class FilterTest {

    private static List<Entry> persisting(String... directories) throws Exception {
        String list = String.join(", ", List.of(directories).stream().map(d -> "\"" + d + "\"").toList());
        return ConfigLoader.parse("[[store]]\npath = \"/persist\"\ndirectories = [" + list + "]\n", "lethe.toml",
                Accounts.of(List.of(), List.of())).entries();
    }

    private static boolean excludes(Filter filter, String path) {
        return filter.excludes(AbsolutePath.of(path));
    }

    @Test
    void aDoubleStarGlobLeavesOutTheContentsAtAnyDepthButNotTheDirectoryItself() {
        Filter filter = Filter.of(List.of(), List.of("/var/cache/**"), false);
        assertThat(excludes(filter, "/var/cache/app")).isTrue();
        assertThat(excludes(filter, "/var/cache/app/blob")).isTrue();
        assertThat(excludes(filter, "/var/cache")).as("the directory itself is still reported if it is a change").isFalse();
        assertThat(excludes(filter, "/var/cache-other")).isFalse();
        assertThat(excludes(filter, "/var")).isFalse();
    }

    @Test
    void aGlobNamingTheDirectoryLeavesOutTheDirectoryAndSoEverythingBelow() {
        Filter filter = Filter.of(List.of(), List.of("/var/cache"), false);
        assertThat(excludes(filter, "/var/cache")).isTrue();
        // The walks do not enter an excluded directory; the glob itself does not name the contents.
        assertThat(filter.ignored(AbsolutePath.of("/var/cache/app"))).isFalse();
        assertThat(excludes(filter, "/var/cachet")).isFalse();
    }

    @Test
    void aSingleStarStaysWithinOneName() {
        Filter filter = Filter.of(List.of(), List.of("/home/*/.cache", "/tmp/*.log"), false);
        assertThat(excludes(filter, "/home/alice/.cache")).isTrue();
        assertThat(excludes(filter, "/home/alice/sub/.cache")).isFalse();
        assertThat(excludes(filter, "/tmp/x.log")).isTrue();
        assertThat(excludes(filter, "/tmp/dir/x.log")).isFalse();
    }

    @Test
    void allShowsWhatTheGlobsHideButNeverWhatIsPersisted() throws Exception {
        Filter filter = Filter.of(persisting("/var/log"), List.of("/var/cache/**"), true);
        assertThat(excludes(filter, "/var/cache/app")).isFalse();
        assertThat(excludes(filter, "/var/log")).isTrue();
        assertThat(excludes(filter, "/var/log/syslog")).isTrue();
        assertThat(excludes(filter, "/var/logs")).isFalse();
    }

    @Test
    void globsFromTheConfigAndTheCommandLineAllApply() {
        Filter filter = Filter.of(List.of(), List.of("/var/cache/**", "/tmp/**"), false);
        assertThat(excludes(filter, "/var/cache/a")).isTrue();
        assertThat(excludes(filter, "/tmp/a")).isTrue();
        assertThat(excludes(filter, "/etc/a")).isFalse();
    }

    @Test
    void aGlobNoCheckAcceptedIsABug() {
        assertThatThrownBy(() -> Filter.of(List.of(), List.of("var/cache/**"), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("relative");
    }

    @Test
    void withinAMountPointPathsAreNamedFromItsTop() throws Exception {
        Filter filter = Filter.of(persisting("/var/log"), List.of("/var/cache/**"), false);
        Filter var = filter.within(AbsolutePath.of("/var"));
        assertThat(var.persisted(AbsolutePath.of("/log/syslog"))).isTrue();
        assertThat(var.ignored(AbsolutePath.of("/cache/apt"))).isTrue();
        assertThat(var.excludes(AbsolutePath.of("/lib"))).isFalse();
        assertThat(var.excludes(AbsolutePath.of("/var/log"))).as("/var/var/log").isFalse();
        // A mount point inside another one: /var, then /log in it.
        assertThat(var.within(AbsolutePath.of("/log")).excludes(AbsolutePath.of("/syslog"))).isTrue();
        assertThat(filter.within(AbsolutePath.ROOT).excludes(AbsolutePath.of("/var/log"))).isTrue();
    }

    @Test
    void storesAreLeftOutWithAllTheyHold() {
        Filter filter = Filter.of(List.of(), List.of(), true).leavingOut(List.of(AbsolutePath.of("/persist")));
        assertThat(excludes(filter, "/persist")).isTrue();
        assertThat(excludes(filter, "/persist/.lethe/diff-hashes")).isTrue();
        assertThat(excludes(filter, "/persistent")).isFalse();
    }
}
