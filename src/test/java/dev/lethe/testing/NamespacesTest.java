package dev.lethe.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.testing.Namespaces.Ancestor;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** The mount-namespace guard's decision, on made-up process trees and mount tables. */
class NamespacesTest {

    private static final String HOST = "mnt:[4026531832]";
    private static final String RUN = "mnt:[4026532999]";
    private static final String PRIVATE_ROOT = "22 1 0:21 / / rw,relatime - ext4 /dev/vda rw";
    private static final String SHARED_ROOT = "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw";
    private static final String SHARED_PROC = "23 22 0:5 / /proc rw master:3 shared:7 - proc proc rw";

    @Test
    void aNamespaceUnsharedForTheRunWithNoSharedMountIsPrivate() {
        // surefire JVM <- mvn (unshared) <- the shell that ran ./test
        List<Ancestor> tree = List.of(new Ancestor(300, RUN), new Ancestor(200, HOST), new Ancestor(1, HOST));
        assertThat(Namespaces.whyMountsWouldLeak(RUN, tree, List.of(PRIVATE_ROOT), false)).isEmpty();
        assertThat(Namespaces.whyMountsWouldLeak(RUN, tree, List.of(PRIVATE_ROOT), true)).isEmpty();
    }

    @Test
    void theNamespaceOfTheProcessesThatStartedTheRunLeaks() {
        List<Ancestor> tree = List.of(new Ancestor(300, HOST), new Ancestor(200, HOST));
        assertThat(Namespaces.whyMountsWouldLeak(HOST, tree, List.of(PRIVATE_ROOT), false))
                .hasValueSatisfying(why -> assertThat(why).contains("shares its mount namespace"));
        assertThat(Namespaces.whyMountsWouldLeak(HOST, tree, List.of(PRIVATE_ROOT), true))
                .as("the promise does not outweigh the evidence").isPresent();
    }

    @Test
    void aSharedMountLeaksEvenInANamespaceOfItsOwn() {
        List<Ancestor> tree = List.of(new Ancestor(300, RUN), new Ancestor(200, HOST));
        assertThat(Namespaces.whyMountsWouldLeak(RUN, tree, List.of(PRIVATE_ROOT, SHARED_PROC), true))
                .hasValueSatisfying(why -> assertThat(why).contains("/proc").contains("shared:7"));
        assertThat(Namespaces.whyMountsWouldLeak(RUN, tree, List.of(SHARED_ROOT), false)).isPresent();
    }

    @Test
    void initAloneDecidesNothingAndThenOnlyThePromiseVouches() {
        // ./test as PID 1 of a container: unshare exec'd mvn in place, so init is the run itself.
        List<Ancestor> tree = List.of(new Ancestor(1, RUN));
        assertThat(Namespaces.whyMountsWouldLeak(RUN, tree, List.of(PRIVATE_ROOT), false)).isPresent();
        assertThat(Namespaces.whyMountsWouldLeak(RUN, tree, List.of(PRIVATE_ROOT), true)).isEmpty();
        assertThat(Namespaces.whyMountsWouldLeak(RUN, List.of(), List.of(PRIVATE_ROOT), true)).isEmpty();
        assertThat(Namespaces.whyMountsWouldLeak(RUN, List.of(), List.of(PRIVATE_ROOT), false)).isPresent();
        assertThat(Namespaces.whyMountsWouldLeak(RUN, List.of(), List.of(SHARED_ROOT), true)).isPresent();
    }

    @Test
    void aBrokenPromiseFailsInsteadOfSkipping() {
        assertThatThrownBy(() -> Namespaces.require(Optional.of("shared"), true, true))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("LETHE_TEST_NAMESPACE=private");
        assertThatThrownBy(() -> Namespaces.require(Optional.of("shared"), true, false))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Namespaces.require(Optional.of("shared"), false, true))
                .isInstanceOf(TestAbortedException.class);
        assertThatThrownBy(() -> Namespaces.require(Optional.empty(), true, false))
                .isInstanceOf(TestAbortedException.class).hasMessageContaining("needs root");
        Namespaces.require(Optional.empty(), true, true);
        Namespaces.require(Optional.empty(), false, true);
    }
}
