package dev.lethe.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.model.AbsolutePath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The rolled-up summary of a large, scattered diff (adoption mode). */
class SummaryTest {

    private static Change added(String path, long bytes, boolean directory) {
        return new Change(AbsolutePath.of(path), Change.Kind.ADDED, "added", bytes, directory);
    }

    private static Map<String, Long> groups(Summary.Result summary) {
        Map<String, Long> groups = new TreeMap<>();
        summary.top().forEach(directory -> groups.put(directory.path().value(), directory.bytes()));
        return groups;
    }

    /**
     * A big new tree (/opt/big), a few files in /etc, and a swarm: one small new __pycache__ directory
     * in each of 30 package directories below /usr/lib/python3/dist-packages, plus 3 below /usr/share.
     */
    private static List<Change> scattered() {
        List<Change> changes = new ArrayList<>();
        changes.add(added("/opt/big", 1_000_000, true));
        changes.add(added("/etc/a", 10, false));
        changes.add(added("/etc/b", 20, false));
        for (int i = 0; i < 30; i++) {
            changes.add(added("/usr/lib/python3/dist-packages/pkg" + i + "/__pycache__", 100, true));
        }
        for (int i = 0; i < 3; i++) {
            changes.add(added("/usr/share/tool" + i + "/__pycache__", 100, true));
        }
        return changes;
    }

    @Test
    void aSwarmOfSmallGroupsBecomesTheDirectoryThatHoldsThem() {
        List<Change> changes = scattered();
        assertThat(Summary.of(changes, 100).top()).hasSize(35);

        Summary.Result summary = Summary.rolledUp(changes, 100);
        assertThat(groups(summary)).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "/opt/big", 1_000_000L,
                "/usr/lib/python3/dist-packages", 3_000L,
                "/usr/share/tool0/__pycache__", 100L,
                "/usr/share/tool1/__pycache__", 100L,
                "/usr/share/tool2/__pycache__", 100L,
                "/etc", 30L)));
        assertThat(summary.top().getFirst().path().value()).as("largest first").isEqualTo("/opt/big");
        Summary.Directory swarm = summary.top().get(1);
        assertThat(swarm.changes()).isEqualTo(30);
        assertThat(swarm.members()).hasSize(30);
        assertThat(summary.top().stream().mapToInt(Summary.Directory::changes).sum()).isEqualTo(changes.size());
    }

    @Test
    void aDirectoryThatStandsOutAmongItsNeighboursKeepsItsLine() {
        List<Change> changes = scattered();
        changes.add(added("/usr/lib/python3/dist-packages/database", 2_000, true));  // 40 % of the crowd's bytes
        Summary.Result summary = Summary.rolledUp(changes, 100);
        assertThat(groups(summary)).containsKey("/usr/lib/python3/dist-packages/database")
                .containsKey("/usr/lib/python3/dist-packages/pkg0/__pycache__")
                .doesNotContainKey("/usr/lib/python3/dist-packages");
    }

    @Test
    void largeGroupsAndTheRootAreNeverTakenIn() {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            changes.add(added("/srv/site" + i, 1_000, true));   // each a tenth of the diff: not small
            changes.add(added("/top" + i, 0, false));           // small, but "/" is never a group of its own
        }
        Summary.Result summary = Summary.rolledUp(changes, 100);
        assertThat(groups(summary)).hasSize(11).containsKey("/srv/site0").containsKey("/").doesNotContainKey("/srv");
    }

    @Test
    void aDirectoryWhoseModeChangedIsNeverSuggestedWhole() throws Exception {
        List<Change> changes = List.of(
                new Change(AbsolutePath.of("/etc"), Change.Kind.MODIFIED, "metadata", 0, true),
                new Change(AbsolutePath.of("/etc/hosts"), Change.Kind.MODIFIED, "modified", 30, false),
                new Change(AbsolutePath.of("/etc/gone"), Change.Kind.DELETED, "deleted", 0, false));
        Summary.Suggestions suggestions = Summary.suggest(Summary.of(changes, 20).top(), path -> java.util.Optional.empty(),
                dev.lethe.config.Accounts.of(List.of(), List.of()));
        assertThat(suggestions.directories()).isEmpty();
        assertThat(suggestions.files()).containsExactly("{ path = \"/etc/hosts\" }");
    }

    @Test
    void aSwarmOfChangesInAnExistingDirectoryIsNotSuggestedPathByPath() throws Exception {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            changes.add(added("/var/cache/apt/archives/p" + i + ".deb", 1000, false));
        }
        changes.add(added("/etc/new.conf", 10, false));
        Summary.Suggestions suggestions = Summary.suggest(Summary.of(changes, 20).top(), path -> java.util.Optional.empty(),
                dev.lethe.config.Accounts.of(List.of(), List.of()));
        assertThat(suggestions.files()).containsExactly("{ path = \"/etc/new.conf\" }");
        assertThat(suggestions.directories()).isEmpty();
    }

    private static Change modified(String path, long bytes) {
        return new Change(AbsolutePath.of(path), Change.Kind.MODIFIED, "modified", bytes, false);
    }

    private static Summary.Suggestions suggest(List<Change> changes, Summary.Taken taken) throws Exception {
        return Summary.suggest(Summary.of(changes, 20).top(), path -> java.util.Optional.empty(),
                dev.lethe.config.Accounts.of(List.of(), List.of()), taken);
    }

    @Test
    void filesAProgramAddsOrSeveralFilesThatChangeAreKeptByTheirDirectoryNeverOneByOne() throws Exception {
        // apt replaces its lists by rename, and a bind-mounted file cannot be renamed over: the directory is suggested.
        Summary.Suggestions suggestions = suggest(List.of(
                added("/var/lib/apt/lists/lock", 0, false),
                added("/var/lib/apt/lists/deb.debian.org_InRelease", 1000, false),
                added("/var/lib/apt/lists/partial", 0, true),
                modified("/var/lib/app/a.db", 10),
                modified("/var/lib/app/b.db", 10),
                modified("/var/lib/svc/settings", 10),
                modified("/etc/motd", 10),
                added("/etc/machine-id", 33, false)), Summary.Taken.NOTHING);
        assertThat(suggestions.directories()).containsExactlyInAnyOrder(
                "{ path = \"/var/lib/apt/lists\" }", "{ path = \"/var/lib/app\" }");
        // A single file written in place, and files in /etc, stay file entries.
        assertThat(suggestions.files()).containsExactlyInAnyOrder(
                "{ path = \"/var/lib/svc/settings\" }", "{ path = \"/etc/motd\" }", "{ path = \"/etc/machine-id\" }");
    }

    @Test
    void nothingTheConfigWouldRefuseIsSuggested() throws Exception {
        // A root without a package database: every top directory is "added" as a whole.
        Summary.Suggestions suggestions = suggest(List.of(
                added("/etc", 100, true), added("/home", 100, true), added("/var", 100, true), added("/root", 10, true),
                added("/proc", 0, true), added("/sys/x", 0, false), added("/dev/null", 0, false), added("/run/x", 0, false),
                added("/persist/data", 5, false), added("/srv/app", 5, true), added("/srv/app/deep", 5, true),
                added("/opt/tool", 50, true), added("/home/alice/.cache", 5, true),
                added("/var/lib/dpkg/status", 5, false), added("/etc/a\nb", 5, false)),
                new Summary.Taken(List.of(AbsolutePath.of("/persist")), List.of(AbsolutePath.of("/opt/tool/conf"),
                        AbsolutePath.of("/home/alice"))));
        assertThat(suggestions.directories()).containsExactly("{ path = \"/srv/app\" }");
        assertThat(suggestions.files()).isEmpty();
    }
}
