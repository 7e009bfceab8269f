package dev.lethe.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The rules every path in lethe goes through, and the prefix test the walks ask for every path. */
class AbsolutePathTest {

    @Test
    void problemsAreNamedComponentByComponent() {
        assertThat(AbsolutePath.problemWith("/")).isNull();
        assertThat(AbsolutePath.problemWith("/etc")).isNull();
        assertThat(AbsolutePath.problemWith("/a/.b/..c/c.")).isNull();
        assertThat(AbsolutePath.problemWith("/a/...")).isNull();
        assertThat(AbsolutePath.problemWith("")).isEqualTo("the path is empty");
        assertThat(AbsolutePath.problemWith("etc")).startsWith("the path is relative");
        assertThat(AbsolutePath.problemWith("/etc/")).isEqualTo("the path ends with /");
        assertThat(AbsolutePath.problemWith("//etc")).isEqualTo("the path contains //");
        assertThat(AbsolutePath.problemWith("/a//b")).isEqualTo("the path contains //");
        assertThat(AbsolutePath.problemWith("/.")).isEqualTo("the path contains a . component");
        assertThat(AbsolutePath.problemWith("/a/./b")).isEqualTo("the path contains a . component");
        assertThat(AbsolutePath.problemWith("/..")).isEqualTo("the path contains a .. component");
        assertThat(AbsolutePath.problemWith("/a/../b")).isEqualTo("the path contains a .. component");
        assertThat(AbsolutePath.problemWith("/a/b/..")).isEqualTo("the path contains a .. component");
        assertThat(AbsolutePath.problemWith("/a\0b")).isEqualTo("the path contains a NUL byte");
    }

    @Test
    void startsWithMeansTheSamePathOrBelowIt() {
        AbsolutePath log = AbsolutePath.of("/var/log");
        assertThat(AbsolutePath.of("/var/log").startsWith(log)).isTrue();
        assertThat(AbsolutePath.of("/var/log/syslog").startsWith(log)).isTrue();
        assertThat(AbsolutePath.of("/var/logs").startsWith(log)).isFalse();
        assertThat(AbsolutePath.of("/var/lo").startsWith(log)).isFalse();
        assertThat(AbsolutePath.of("/var").startsWith(log)).isFalse();
        assertThat(AbsolutePath.of("/anything").startsWith(AbsolutePath.ROOT)).isTrue();
        assertThat(AbsolutePath.ROOT.startsWith(log)).isFalse();
    }
}
