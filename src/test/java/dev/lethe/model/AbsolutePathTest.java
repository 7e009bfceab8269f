package dev.lethe.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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

    @Test
    void pathsSortComponentByComponentParentsFirst() {
        assertThat(List.of("/a-b", "/a/b", "/", "/a", "/a/b/c", "/a.b", "/ab", "/a\u00e9", "/a/\uffff", "/a/b0")
                .stream().map(AbsolutePath::of).sorted().map(AbsolutePath::value).toList())
                .containsExactly("/", "/a", "/a/b", "/a/b/c", "/a/b0", "/a/\uffff", "/a-b", "/a.b", "/ab", "/a\u00e9");
    }

    /** The in-place comparison against its definition: the names compared one by one, then the count. */
    @Test
    void theComparisonIsTheComponentWiseOrderOnEveryPair() {
        Random random = new Random(42);
        String alphabet = "ab-./\u00e9~0\ud83d\ude00";
        List<AbsolutePath> paths = new ArrayList<>(List.of(AbsolutePath.ROOT));
        while (paths.size() < 400) {
            StringBuilder path = new StringBuilder();
            for (int i = random.nextInt(1, 5); i > 0; i--) {
                path.append('/');
                for (int j = random.nextInt(1, 4); j > 0; j--) {
                    path.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            if (AbsolutePath.problemWith(path.toString()) == null) {
                paths.add(AbsolutePath.of(path.toString()));
            }
        }
        for (AbsolutePath a : paths) {
            for (AbsolutePath b : paths) {
                assertThat(Integer.signum(a.compareTo(b))).as("%s against %s", a, b).isEqualTo(byNames(a, b));
            }
        }
    }

    private static int byNames(AbsolutePath a, AbsolutePath b) {
        List<String> mine = a.names();
        List<String> theirs = b.names();
        for (int i = 0; i < Math.min(mine.size(), theirs.size()); i++) {
            int c = mine.get(i).compareTo(theirs.get(i));
            if (c != 0) {
                return Integer.signum(c);
            }
        }
        return Integer.signum(Integer.compare(mine.size(), theirs.size()));
    }
}
