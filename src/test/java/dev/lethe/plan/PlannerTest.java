package dev.lethe.plan;

import static dev.lethe.plan.Entries.directory;
import static dev.lethe.plan.Entries.entry;
import static dev.lethe.plan.Entries.file;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Attributes;
import dev.lethe.model.Entry;
import dev.lethe.model.Kind;
import dev.lethe.model.Method;
import dev.lethe.model.Mode;
import dev.lethe.model.Origin;
import dev.lethe.model.Principal;
import dev.lethe.model.Stage;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlannerTest {

    /** A plan as short lines, so a test states the whole expected sequence. */
    private static List<String> plan(TableObservation observed, Entry... entries) {
        return Planner.plan(List.of(entries), observed).actions().stream().map(PlannerTest::line).toList();
    }

    private static String line(Action action) {
        return switch (action) {
            case Action.MakeDirectory a -> "mkdir " + a.path() + " " + a.ownership();
            case Action.MakeFile a -> "touch " + a.path() + " " + a.ownership();
            case Action.SetOwnership a -> "chown " + a.path() + " " + a.to();
            case Action.Migrate a -> "migrate " + a.from() + " -> " + a.to();
            case Action.ResumeMigration a -> "resume " + a.from() + " -> " + a.to();
            case Action.BindMount a -> "bind " + a.source() + " -> " + a.target();
            case Action.RemoveEmpty a -> "remove " + a.path();
            case Action.MakeSymlink a -> "symlink " + a.link() + " -> " + a.pointsTo();
            case Action.Unmount a -> "unmount " + a.target();
            case Action.AwaitCreation a -> "wait " + a.target();
            case Action.Refuse a -> "refuse " + a.problem().word();
        };
    }

    private static TableObservation machine() {
        return new TableObservation().store("/persist").dir("/var");
    }

    @Test
    void freshDirectoryIsCreatedOnBothSidesThenMounted() {
        assertThat(plan(machine(), directory("/var/log"))).containsExactly(
                "mkdir /persist/var 0:0 0755",
                "mkdir /persist/var/log 0:0 0755",
                "mkdir /var/log 0:0 0755",
                "bind /persist/var/log -> /var/log");
    }

    @Test
    void storeParentsMirrorTheTargetSidesOwnerAndMode() {
        TableObservation observed = new TableObservation().store("/persist").dir("/var", 0, 0, 0711, false)
                .dir("/var/lib", 0, 0, 0751, false);
        assertThat(plan(observed, directory("/var/lib/private"))).startsWith(
                "mkdir /persist/var 0:0 0711",
                "mkdir /persist/var/lib 0:0 0751");
    }

    @Test
    void existingDataInTheTargetIsMigratedBeforeTheMount() {
        TableObservation observed = machine().dirWithData("/var/log");
        assertThat(plan(observed, directory("/var/log"))).containsExactly(
                "mkdir /persist/var 0:0 0755",
                "migrate /var/log -> /persist/var/log",
                "bind /persist/var/log -> /var/log");
    }

    @Test
    void migrationIntoAnEmptyStoreDirectoryIsAllowed() {
        TableObservation observed = machine().dir("/persist/var").dir("/persist/var/log").dirWithData("/var/log");
        assertThat(plan(observed, directory("/var/log"))).containsExactly(
                "migrate /var/log -> /persist/var/log",
                "bind /persist/var/log -> /var/log");
    }

    @Test
    void dataOnBothSidesIsRefusedAndNothingIsDoneForThatEntry() {
        TableObservation observed = machine().dir("/persist/var").dirWithData("/persist/var/log").dirWithData("/var/log");
        List<Action> actions = Planner.plan(List.of(directory("/var/log")), observed).actions();
        assertThat(actions).hasSize(1);
        Action.Refuse refuse = (Action.Refuse) actions.getFirst();
        assertThat(refuse.problem()).isEqualTo(Action.Problem.CONFLICT);
        assertThat(refuse.reason()).contains("/var/log").contains("/persist/var/log");
    }

    @Test
    void aRefusedEntryDoesNotStopTheOthers() {
        TableObservation observed = machine().dir("/persist/var").dirWithData("/persist/var/log").dirWithData("/var/log");
        assertThat(plan(observed, directory("/var/log"), directory("/var/cache"))).containsExactly(
                "mkdir /persist/var/cache 0:0 0755",
                "mkdir /var/cache 0:0 0755",
                "bind /persist/var/cache -> /var/cache",
                "refuse conflict");
    }

    @Test
    void storeDataIsMountedOnAnEmptyOrAbsentTarget() {
        TableObservation absent = machine().dir("/persist/var").dir("/persist/var/log", 0, 4, 02755, false);
        assertThat(plan(absent, directory("/var/log"))).containsExactly(
                "mkdir /var/log 0:4 2755",
                "bind /persist/var/log -> /var/log");
        TableObservation empty = machine().dir("/persist/var").dirWithData("/persist/var/log").dir("/var/log");
        assertThat(plan(empty, directory("/var/log"))).containsExactly("bind /persist/var/log -> /var/log");
    }

    @Test
    void anActiveEntryNeedsNothing() {
        TableObservation observed = machine().dir("/persist/var").dirWithData("/persist/var/log")
                .mounted("/persist/var/log", "/var/log");
        assertThat(plan(observed, directory("/var/log"))).isEmpty();
    }

    @Test
    void declaredOwnerAndModeAreEnforcedOnTheStoreSideBeforeTheMount() {
        Entry entry = entry("/var/lib/libvirt", Kind.DIRECTORY, Method.BIND,
                new Attributes(Optional.empty(), Optional.empty(), Optional.of(Mode.parse("0700"))));
        TableObservation observed = machine().dir("/var/lib").dir("/persist/var").dir("/persist/var/lib")
                .dirWithData("/persist/var/lib/libvirt");
        assertThat(plan(observed, entry)).containsExactly(
                "chown /persist/var/lib/libvirt 0:0 0700",
                "mkdir /var/lib/libvirt 0:0 0700",
                "bind /persist/var/lib/libvirt -> /var/lib/libvirt");
    }

    @Test
    void declaredOwnershipIsCheckedEvenWhenActive() {
        Entry entry = entry("/srv", Kind.DIRECTORY, Method.BIND,
                Attributes.of(new Principal("www", 33), new Principal("www", 33), Mode.parse("0750")));
        TableObservation observed = machine().dirWithData("/persist/srv").mounted("/persist/srv", "/srv");
        assertThat(plan(observed, entry)).containsExactly("chown /persist/srv 33:33 0750");
    }

    @Test
    void undeclaredOwnershipOfExistingDataIsKept() {
        TableObservation observed = machine().dir("/persist/var").dir("/persist/var/mail", 8, 8, 02775, false);
        assertThat(plan(observed, directory("/var/mail"))).noneMatch(line -> line.startsWith("chown"));
    }

    @Test
    void aFileMissingOnBothSidesWaitsForItsCreator() {
        TableObservation observed = machine().dir("/etc").dir("/etc/ssh");
        assertThat(plan(observed, file("/etc/ssh/ssh_host_ed25519_key"))).containsExactly("wait /etc/ssh/ssh_host_ed25519_key");
    }

    @Test
    void aFileCreatedSinceBootIsCapturedIntoTheStore() {
        TableObservation observed = machine().dir("/etc").dir("/etc/ssh").file("/etc/ssh/ssh_host_ed25519_key", 411);
        assertThat(plan(observed, file("/etc/ssh/ssh_host_ed25519_key"))).containsExactly(
                "mkdir /persist/etc 0:0 0755",
                "mkdir /persist/etc/ssh 0:0 0755",
                "migrate /etc/ssh/ssh_host_ed25519_key -> /persist/etc/ssh/ssh_host_ed25519_key",
                "bind /persist/etc/ssh/ssh_host_ed25519_key -> /etc/ssh/ssh_host_ed25519_key");
    }

    @Test
    void aStoredFileGetsAnEmptyMountPoint() {
        TableObservation observed = machine().dir("/etc").dir("/persist/etc").file("/persist/etc/machine-id", 33);
        assertThat(plan(observed, file("/etc/machine-id"))).containsExactly(
                "touch /etc/machine-id 0:0 0644",
                "bind /persist/etc/machine-id -> /etc/machine-id");
    }

    @Test
    void anIdenticalFileOnBothSidesIsNotAConflict() {
        TableObservation observed = machine().dir("/etc").dir("/persist/etc").file("/persist/etc/machine-id", 33)
                .file("/etc/machine-id", 33).identical("/etc/machine-id", "/persist/etc/machine-id");
        assertThat(plan(observed, file("/etc/machine-id"))).containsExactly("bind /persist/etc/machine-id -> /etc/machine-id");
    }

    @Test
    void differentFilesOnBothSidesAreAConflict() {
        TableObservation observed = machine().dir("/etc").dir("/persist/etc").file("/persist/etc/machine-id", 33)
                .file("/etc/machine-id", 33);
        assertThat(plan(observed, file("/etc/machine-id"))).containsExactly("refuse conflict");
    }

    @Test
    void aSymlinkAtTheTargetIsRefusedNotFollowed() {
        TableObservation observed = machine().symlink("/var/log", "/etc");
        assertThat(plan(observed, directory("/var/log"))).containsExactly("refuse unsafe");
    }

    @Test
    void anUnreachablePathIsRefused() {
        TableObservation observed = machine().unreachable("/home/alice/.config/app", "a symlink is in the way");
        assertThat(plan(observed, directory("/home/alice/.config/app"))).containsExactly("refuse unsafe");
    }

    @Test
    void aMissingStoreRefusesItsEntries() {
        TableObservation observed = new TableObservation().dir("/var");
        assertThat(plan(observed, directory("/var/log"))).containsExactly("refuse store-missing");
    }

    @Test
    void aTargetMountedFromElsewhereIsShadowed() {
        TableObservation observed = machine().dirWithData("/persist/srv").mountPointOfSomethingElse("/srv");
        assertThat(plan(observed, directory("/srv"))).containsExactly("refuse shadowed");
    }

    @Test
    void aFileWhereTheEntryDeclaresADirectoryIsRefused() {
        TableObservation observed = machine().file("/var/log", 10);
        assertThat(plan(observed, directory("/var/log"))).containsExactly("refuse wrong-type");
    }

    @Test
    void removedEntriesAreUnmountedAndOnlyThose() {
        TableObservation observed = machine().dirWithData("/persist/var/log").mounted("/persist/var/log", "/var/log")
                .letheMount("/persist", "/var/log", true).letheMount("/persist", "/var/old", true);
        assertThat(plan(observed, directory("/var/log"))).containsExactly("unmount /var/old");
    }

    @Test
    void aCoveredMountOfARemovedEntryIsNotUnmounted() {
        TableObservation observed = machine().letheMount("/persist", "/var/old", false);
        assertThat(plan(observed)).containsExactly("refuse shadowed");
    }

    @Test
    void entriesOfAnotherStageAreNotRemovedEntries() {
        TableObservation observed = machine().dir("/etc").store("/persist").dir("/persist/etc").file("/persist/etc/machine-id", 33)
                .dirWithData("/persist/var/log").mounted("/persist/var/log", "/var/log")
                .letheMount("/persist", "/var/log", true);
        Entry initrdOnly = file("/etc/machine-id");
        Planner.Scope scope = Planner.Scope.of(List.of(initrdOnly, directory("/var/log")));
        List<String> lines = Planner.plan(List.of(initrdOnly), scope, observed).actions().stream().map(PlannerTest::line).toList();
        assertThat(lines).containsExactly("touch /etc/machine-id 0:0 0644", "bind /persist/etc/machine-id -> /etc/machine-id");
    }

    @Test
    void anEntryMovedToAnotherStoreIsUnmountedFirstAndPlannedAfterwards() {
        TableObservation observed = machine().store("/persist2").dirWithData("/persist/var/log")
                .mounted("/persist/var/log", "/var/log").letheMount("/persist", "/var/log", true);
        Entry moved = new Entry(AbsolutePath.of("/var/log"), AbsolutePath.of("/persist2"), Kind.DIRECTORY, Method.BIND,
                Stage.SYSTEM, Attributes.UNDECLARED, Entries.ROOT_PARENTS, Optional.empty(), new Origin("lethe.toml", 3));
        assertThat(plan(observed, moved)).containsExactly("unmount /var/log");
    }

    @Test
    void anInterruptedMigrationIsResumedBeforeItsEntryIsPlanned() {
        TableObservation observed = machine().dir("/persist/var").dirWithData("/persist/var/log").dirWithData("/var/log")
                .interrupted("/var/log", "/persist");
        assertThat(plan(observed, directory("/var/log"), directory("/var/cache"))).containsExactly(
                "resume /var/log -> /persist/var/log",
                "mkdir /persist/var/cache 0:0 0755",
                "mkdir /var/cache 0:0 0755",
                "bind /persist/var/cache -> /var/cache");
    }

    @Test
    void anInterruptedMigrationIntoAnotherStoreIsRefused() {
        TableObservation observed = machine().store("/persist2").dirWithData("/var/log").interrupted("/var/log", "/persist2");
        assertThat(plan(observed, directory("/var/log"))).containsExactly("refuse conflict");
    }

    @Test
    void anInterruptedMigrationUnderAMountIsRefused() {
        TableObservation observed = machine().mountPointOfSomethingElse("/var/log").interrupted("/var/log", "/persist");
        assertThat(plan(observed, directory("/var/log"))).containsExactly("refuse shadowed");
    }

    @Test
    void aStoreThatIsNotAMountPointIsRefusedUnlessDeclaredOnTheRoot() {
        TableObservation observed = new TableObservation().dir("/persist").dir("/var");
        assertThat(plan(observed, directory("/var/log"))).containsExactly("refuse store-missing");
        Entry entry = directory("/var/log");
        Planner.Scope onRoot = new Planner.Scope(Set.of(entry.target()), Set.of(entry.store()));
        assertThat(Planner.plan(List.of(entry), onRoot, observed).actions().stream().map(PlannerTest::line).toList())
                .contains("bind /persist/var/log -> /var/log");
    }

    @Test
    void symlinkMethodLinksAndMigratesFirst() {
        Entry entry = entry("/var/lib/app", Kind.DIRECTORY, Method.SYMLINK, Attributes.UNDECLARED);
        TableObservation observed = machine().dir("/var/lib").dir("/persist/var").dir("/persist/var/lib")
                .dirWithData("/var/lib/app");
        assertThat(plan(observed, entry)).containsExactly(
                "migrate /var/lib/app -> /persist/var/lib/app",
                "remove /var/lib/app",
                "symlink /var/lib/app -> /persist/var/lib/app");
    }

    @Test
    void aCorrectSymlinkIsActive() {
        Entry entry = entry("/var/lib/app", Kind.DIRECTORY, Method.SYMLINK, Attributes.UNDECLARED);
        TableObservation observed = machine().dirWithData("/persist/var/lib/app").symlink("/var/lib/app", "/persist/var/lib/app");
        assertThat(plan(observed, entry)).isEmpty();
    }

    @Test
    void userParentsBelongToTheUserAndTheHomeIsPrivate() {
        TableObservation observed = machine().dir("/home");
        assertThat(plan(observed, Entries.userDirectory("/home/alice/Documents/work", "/home/alice"))).containsExactly(
                "mkdir /persist/home 0:0 0755",
                "mkdir /persist/home/alice 1000:1000 0700",
                "mkdir /persist/home/alice/Documents 1000:1000 0755",
                "mkdir /persist/home/alice/Documents/work 1000:1000 0755",
                "mkdir /home/alice 1000:1000 0700",
                "mkdir /home/alice/Documents 1000:1000 0755",
                "mkdir /home/alice/Documents/work 1000:1000 0755",
                "bind /persist/home/alice/Documents/work -> /home/alice/Documents/work");
    }

    @Test
    void sharedParentsAreCreatedOnce() {
        assertThat(plan(machine(), directory("/var/lib/a"), directory("/var/lib/b")))
                .filteredOn(line -> line.startsWith("mkdir /persist/var/lib "))
                .hasSize(1);
    }
}
