package dev.lethe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.model.Kind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Adding and removing entries as text edits: the result is what a careful person would type, every
 * other byte stays, and adding then removing gives the original back byte for byte.
 */
class ConfigEditTest {

    private static final Accounts ACCOUNTS = ConfigLoaderTest.ACCOUNTS;
    private static final String FILE = "/etc/lethe/lethe.toml";

    /** A config written by a person: comments everywhere, odd spacing, both array styles, two stores. */
    private static final String HAND_WRITTEN = """
            # My machine.   Keep this comment.
            [root]
            strategy = "none"   # adoption first

            [[store]]
            path   =   "/persist"     # the backed-up disk
            directories = [
                "/var/log",        # logs
                { path = "/var/lib/libvirt", mode = "0700" }   ,
              # "/var/lib/docker",  (too big)
            ]
            files = [ "/etc/machine-id" ]

            [store.users.alice]
            directories = ["Documents",   ".ssh"]

            # Bulk data, not backed up.
            [[store]]
            path = "/bulk"
            directories = [
              "/srv/media"
            ]
            """;

    private static NewEntry entry(String store, String user, String path, Kind kind, Map<String, String> options) {
        return new NewEntry(Optional.ofNullable(store).map(AbsolutePath::of), Optional.ofNullable(user), path, kind,
                new LinkedHashMap<>(options));
    }

    private static ConfigEdit.Result add(String text, NewEntry... entries) throws ConfigException {
        return ConfigEdit.add(text, FILE, ACCOUNTS, List.of(entries));
    }

    private static String roundTrip(String text, NewEntry entry, String target) throws ConfigException {
        ConfigEdit.Result added = add(text, entry);
        assertThat(added.changed()).extracting(e -> e.target().value()).containsExactly(target);
        ConfigEdit.Result removed = ConfigEdit.remove(added.text(), FILE, ACCOUNTS, List.of(AbsolutePath.of(target)));
        assertThat(removed.text()).as("after adding then removing %s:%n%s", target, added.text()).isEqualTo(text);
        return added.text();
    }

    @Test
    void addingThenRemovingGivesTheSameBytesInEveryPlace() throws Exception {
        // Multi-line array whose last element has a comma, a comment after it.
        String added = roundTrip(HAND_WRITTEN, entry("/persist", null, "/var/lib/bluetooth", Kind.DIRECTORY, Map.of()),
                "/var/lib/bluetooth");
        assertThat(added).contains("""
                    { path = "/var/lib/libvirt", mode = "0700" }   ,
                    "/var/lib/bluetooth",
                  # "/var/lib/docker",  (too big)
                """);
        // One-line array.
        added = roundTrip(HAND_WRITTEN, entry("/persist", null, "/etc/ssh/ssh_host_ed25519_key", Kind.FILE,
                Map.of("mode", "0600")), "/etc/ssh/ssh_host_ed25519_key");
        assertThat(added).contains("files = [ \"/etc/machine-id\", { path = \"/etc/ssh/ssh_host_ed25519_key\", mode = \"0600\" } ]");
        // Multi-line array whose last element has no comma: it gets one, the new line none.
        added = roundTrip(HAND_WRITTEN, entry("/bulk", null, "/srv/backup", Kind.DIRECTORY, Map.of()), "/srv/backup");
        assertThat(added).endsWith("""
                directories = [
                  "/srv/media",
                  "/srv/backup"
                ]
                """);
        // A key the store does not have yet, after its last line (not after the comment of the next store).
        added = roundTrip(HAND_WRITTEN, entry("/bulk", null, "/srv/shared.img", Kind.FILE, Map.of()), "/srv/shared.img");
        assertThat(added).endsWith("  \"/srv/media\"\n]\nfiles = [\"/srv/shared.img\"]\n");
        // A user's existing table, and a user with no table yet in that store.
        added = roundTrip(HAND_WRITTEN, entry("/persist", "alice", ".bash_history", Kind.FILE, Map.of()),
                "/home/alice/.bash_history");
        assertThat(added).contains("[store.users.alice]\ndirectories = [\"Documents\",   \".ssh\"]\nfiles = [\".bash_history\"]\n");
        added = roundTrip(HAND_WRITTEN, entry("/persist", "bob", "Music", Kind.DIRECTORY, Map.of()), "/home/bob/Music");
        assertThat(added).contains("\".ssh\"]\n\n[store.users.bob]\ndirectories = [\"Music\"]\n\n# Bulk data");
        added = roundTrip(HAND_WRITTEN, entry("/bulk", "bob", "Videos", Kind.DIRECTORY, Map.of()), "/home/bob/Videos");
        assertThat(added).endsWith("]\n\n[store.users.bob]\ndirectories = [\"Videos\"]\n");
    }

    @Test
    void oddLayoutsRoundTripToo() throws Exception {
        for (String text : List.of(
                "[[store]]\npath = \"/persist\"",                                     // no newline at the end
                "[[store]]\npath = \"/persist\"\ndirectories = [\"/a\", ]\n",
                "[[store]]\r\npath = \"/persist\"\r\ndirectories = [ \"/a\" ] # x\r\n",
                "[[store]]\npath = \"/persist\"\ndirectories = [\n\t\"/a\"  # why\n]\n",
                "[[store]]\npath = \"/persist\"\ndirectories = [ \"/a\", # a\n \"/b\" # b\n] # end\n")) {
            roundTrip(text, entry(null, null, "/var/lib/new", Kind.DIRECTORY, Map.of()), "/var/lib/new");
        }
    }

    @Test
    void anArrayLeftEmptyGoesWithItsKey() throws Exception {
        // The one case that does not round-trip: an empty array written by hand reads as no key at all.
        for (String empty : List.of("[]", "[ ]", "[\n]")) {
            String text = "[[store]]\npath = \"/persist\"\ndirectories = " + empty + "\nfiles = [\"/etc/a\"]\n";
            String added = add(text, entry(null, null, "/var/lib/new", Kind.DIRECTORY, Map.of())).text();
            assertThat(added).contains("\"/var/lib/new\"");
            assertThat(ConfigEdit.remove(added, FILE, ACCOUNTS, List.of(AbsolutePath.of("/var/lib/new"))).text())
                    .isEqualTo(text.replace("directories = " + empty + "\n", ""));
        }
    }

    @Test
    void removingAnEntryTheUserWroteKeepsTheRest() throws Exception {
        ConfigEdit.Result removed = ConfigEdit.remove(HAND_WRITTEN, FILE, ACCOUNTS,
                List.of(AbsolutePath.of("/var/log"), AbsolutePath.of("/home/alice/Documents"), AbsolutePath.of("/srv/media")));
        assertThat(removed.text()).isEqualTo(HAND_WRITTEN
                .replace("    \"/var/log\",        # logs\n", "")
                .replace("[\"Documents\",   \".ssh\"]", "[\".ssh\"]")
                .replace("directories = [\n  \"/srv/media\"\n]\n", ""));
        assertThat(removed.changed()).extracting(Entry::origin).extracting(o -> o.line()).containsExactlyInAnyOrder(8, 15, 21);
    }

    @Test
    void aDotDotPathAnOverlapADuplicateOrAnUnknownStoreIsRefusedWithCheckErrors() {
        assertThatThrownBy(() -> add(HAND_WRITTEN, entry("/persist", null, "/var/../etc", Kind.DIRECTORY, Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining(FILE + ":10: /var/../etc: invalid path")
                .hasMessageContaining(".. component");
        assertThatThrownBy(() -> add(HAND_WRITTEN, entry("/persist", null, "/var/log/apt", Kind.DIRECTORY, Map.of())))
                .hasMessageContaining("/var/log/apt: is inside /var/log, declared at " + FILE + ":8");
        assertThatThrownBy(() -> add(HAND_WRITTEN, entry("/bulk", null, "/var/log", Kind.DIRECTORY, Map.of())))
                .hasMessageContaining("declared twice, also declared at " + FILE + ":8");
        assertThatThrownBy(() -> add(HAND_WRITTEN, entry("/nowhere", null, "/x", Kind.DIRECTORY, Map.of())))
                .hasMessageContaining(FILE + ": /nowhere: no [[store]] has this path; the stores are /persist (line 5), /bulk (line 18)");
        assertThatThrownBy(() -> add(HAND_WRITTEN, entry(null, null, "/x", Kind.DIRECTORY, Map.of())))
                .hasMessageContaining("several stores").hasMessageContaining("--store");
        assertThatThrownBy(() -> add(HAND_WRITTEN, entry("/persist", null, "/x", Kind.DIRECTORY, Map.of("mode", "888"))))
                .hasMessageContaining("invalid mode");
        assertThatThrownBy(() -> ConfigEdit.remove(HAND_WRITTEN, FILE, ACCOUNTS, List.of(AbsolutePath.of("/var/log/apt"))))
                .hasMessageContaining("/var/log/apt: is not an entry of its own but inside /var/log, declared at " + FILE + ":8");
        assertThatThrownBy(() -> ConfigEdit.remove(HAND_WRITTEN, FILE, ACCOUNTS, List.of(AbsolutePath.of("/opt"))))
                .hasMessageContaining("no entry persists this path");
    }

    @Test
    void aPathWithQuotesIsEscaped() throws Exception {
        roundTrip(HAND_WRITTEN, entry("/persist", null, "/srv/a \"b\" \\c", Kind.DIRECTORY, Map.of()), "/srv/a \"b\" \\c");
    }
}
