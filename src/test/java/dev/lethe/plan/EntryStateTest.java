package dev.lethe.plan;

import static dev.lethe.plan.Entries.directory;
import static dev.lethe.plan.Entries.entry;
import static dev.lethe.plan.Entries.file;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.model.Attributes;
import dev.lethe.model.Entry;
import dev.lethe.model.Kind;
import dev.lethe.model.Method;
import dev.lethe.model.Mode;
import dev.lethe.model.Principal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An entry's state follows from what the planner would still do for it: a table, no machine, no command line. */
class EntryStateTest {

    private static TableObservation machine() {
        return new TableObservation().store("/persist").dir("/var");
    }

    private static EntryState stateOf(TableObservation observed, Entry entry, Entry... others) {
        List<Entry> entries = new java.util.ArrayList<>(List.of(others));
        entries.addFirst(entry);
        return EntryState.of(entry.target(), Planner.plan(entries, observed));
    }

    @Test
    void anEntryTheMachineAlreadyMatchesIsActive() {
        TableObservation observed = machine().dirWithData("/persist/var/log").mounted("/persist/var/log", "/var/log");
        assertThat(stateOf(observed, directory("/var/log"))).isEqualTo(EntryState.ACTIVE);
    }

    @Test
    void anEntryApplyWouldStillMountIsMissing() {
        assertThat(stateOf(machine(), directory("/var/log"))).isEqualTo(EntryState.MISSING);
    }

    @Test
    void aFileOnNeitherSideIsPending() {
        assertThat(stateOf(new TableObservation().store("/persist").dir("/etc"), file("/etc/machine-id")))
                .isEqualTo(EntryState.PENDING);
    }

    @Test
    void onlyAnOwnerOrModeToFixIsWrongOwnerMode() {
        Entry entry = entry("/srv", Kind.DIRECTORY, Method.BIND,
                Attributes.of(new Principal("www", 33), new Principal("www", 33), Mode.parse("0750")));
        TableObservation observed = machine().dirWithData("/persist/srv").mounted("/persist/srv", "/srv");
        assertThat(stateOf(observed, entry)).isEqualTo(EntryState.WRONG_OWNER_MODE);
    }

    @Test
    void aChownBesideAMountToMakeIsMissing() {
        Entry entry = entry("/var/lib/libvirt", Kind.DIRECTORY, Method.BIND,
                new Attributes(java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.of(Mode.parse("0700"))));
        TableObservation observed = machine().dir("/var/lib").dir("/persist/var").dir("/persist/var/lib")
                .dirWithData("/persist/var/lib/libvirt");
        assertThat(stateOf(observed, entry)).isEqualTo(EntryState.MISSING);
    }

    @Test
    void eachRefusalIsItsOwnState() {
        assertThat(stateOf(machine().dir("/persist/var").dirWithData("/persist/var/log").dirWithData("/var/log"),
                directory("/var/log"))).isEqualTo(EntryState.CONFLICT);
        assertThat(stateOf(machine().symlink("/var/log", "/etc"), directory("/var/log"))).isEqualTo(EntryState.UNSAFE);
        assertThat(stateOf(new TableObservation().dir("/var"), directory("/var/log"))).isEqualTo(EntryState.STORE_MISSING);
        assertThat(stateOf(machine().dirWithData("/persist/srv").mountPointOfSomethingElse("/srv"), directory("/srv")))
                .isEqualTo(EntryState.SHADOWED);
        assertThat(stateOf(machine().file("/var/log", 10), directory("/var/log"))).isEqualTo(EntryState.WRONG_TYPE);
    }

    @Test
    void anotherEntrysActionsAndARemovedEntrysUnmountDoNotCount() {
        TableObservation observed = machine().dirWithData("/persist/var/log").mounted("/persist/var/log", "/var/log")
                .letheMount("/persist", "/var/log", true).letheMount("/persist", "/var/old", true);
        assertThat(stateOf(observed, directory("/var/log"), directory("/var/cache"))).isEqualTo(EntryState.ACTIVE);
    }

    @Test
    void theHealthyStatesAreThoseThatNeedNoOne() {
        assertThat(List.of(EntryState.values()).stream().filter(EntryState::healthy))
                .containsExactly(EntryState.ACTIVE, EntryState.PENDING, EntryState.ORPHANED);
        assertThat(EntryState.WRONG_OWNER_MODE.word()).isEqualTo("wrong-owner-mode");
        assertThat(EntryState.STORE_MISSING.word()).isEqualTo("store-missing");
    }
}
