package dev.lethe.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.config.Accounts;
import dev.lethe.config.ConfigLoader;
import dev.lethe.model.AbsolutePath;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilterTest {

    private static Filter filter() throws Exception {
        return Filter.of(ConfigLoader.parse("""
                [[store]]
                path = "/persist"
                directories = ["/var/log"]
                """, "lethe.toml", Accounts.of(List.of(), List.of())).entries(), List.of("/var/cache/**"), false);
    }

    @Test
    void leavesOutPersistedAndIgnoredPathsByTheirPathOnTheRoot() throws Exception {
        Filter filter = filter();
        assertThat(filter.excludes(AbsolutePath.of("/var/log/syslog"))).isTrue();
        assertThat(filter.excludes(AbsolutePath.of("/var/cache/apt"))).isTrue();
        assertThat(filter.excludes(AbsolutePath.of("/var/lib"))).isFalse();
        assertThat(filter.excludes(AbsolutePath.of("/log"))).isFalse();
    }

    @Test
    void withinAMountPointPathsAreNamedFromItsTop() throws Exception {
        Filter var = filter().within(AbsolutePath.of("/var"));
        assertThat(var.persisted(AbsolutePath.of("/log/syslog"))).isTrue();
        assertThat(var.ignored(AbsolutePath.of("/cache/apt"))).isTrue();
        assertThat(var.excludes(AbsolutePath.of("/lib"))).isFalse();
        assertThat(var.excludes(AbsolutePath.of("/var/log"))).as("/var/var/log").isFalse();
        // A mount point inside another one: /var, then /log in it.
        assertThat(var.within(AbsolutePath.of("/log")).excludes(AbsolutePath.of("/syslog"))).isTrue();
        assertThat(filter().within(AbsolutePath.ROOT).excludes(AbsolutePath.of("/var/log"))).isTrue();
    }
}
