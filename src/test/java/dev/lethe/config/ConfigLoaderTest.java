package dev.lethe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;

import dev.lethe.config.RootConfig.Retention;
import dev.lethe.config.RootConfig.Strategy;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Attributes;
import dev.lethe.model.Entry;
import dev.lethe.model.Kind;
import dev.lethe.model.Method;
import dev.lethe.model.Mode;
import dev.lethe.model.Origin;
import dev.lethe.model.Principal;
import dev.lethe.model.Stage;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

    static final String FILE = "lethe.toml";

    static final Accounts ACCOUNTS = Accounts.of(
            List.of(new Accounts.User("root", 0, 0, AbsolutePath.of("/root")),
                    new Accounts.User("alice", 1000, 1000, AbsolutePath.of("/home/alice")),
                    new Accounts.User("bob", 1001, 100, AbsolutePath.of("/home/bob")),
                    new Accounts.User("nohome", 1003, 1003, AbsolutePath.ROOT)),
            List.of(new Accounts.Group("root", 0), new Accounts.Group("users", 100),
                    new Accounts.Group("alice", 1000)));

    static final Principal ROOT = new Principal("root", 0);
    static final Principal ADM = new Principal("adm", 4);
    static final Principal ALICE = new Principal("alice", 1000);
    static final Principal BOB = new Principal("bob", 1001);
    static final Principal USERS = new Principal("users", 100);
    static final Principal CAROL = new Principal("carol", 1002);
    static final Principal WWW_DATA_USER = new Principal("www-data", 33);
    static final Principal WWW_DATA_GROUP = new Principal("www-data", 33);

    static Path resource(String name) {
        try {
            return Path.of(ConfigLoaderTest.class.getResource("/config/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static Config parse(String toml) throws ConfigException {
        return ConfigLoader.parse(toml, FILE, ACCOUNTS);
    }

    static List<ConfigError> errorsOf(String toml) {
        try {
            ConfigLoader.parse(toml, FILE, ACCOUNTS);
        } catch (ConfigException e) {
            return e.errors();
        }
        return fail("expected a ConfigException for:\n" + toml);
    }

    static ConfigError onlyErrorOf(String toml) {
        List<ConfigError> errors = errorsOf(toml);
        assertThat(errors).as("errors").hasSize(1);
        return errors.getFirst();
    }

    /** Asserts the error's line and that what the user reads names the path. */
    static void assertError(ConfigError error, int line, String path, String... phrases) {
        assertThat(error.origin()).isEqualTo(new Origin(FILE, line));
        assertThat(error.path()).isEqualTo(path);
        assertThat(error.toString()).startsWith(FILE + ":" + line + ": " + path + ": ");
        assertThat(error.message()).contains(phrases);
    }

    static Attributes declared(Principal owner, Principal group, Mode mode) {
        return new Attributes(Optional.ofNullable(owner), Optional.ofNullable(group), Optional.ofNullable(mode));
    }

    static Attributes mode(int bits) {
        return declared(null, null, new Mode(bits));
    }

    static Entry system(String target, String store, Kind kind, Method method, Stage stage,
            Attributes attributes, Attributes parents, String file, int line) {
        return new Entry(AbsolutePath.of(target), AbsolutePath.of(store), kind, method, stage, attributes, parents,
                Optional.empty(), new Origin(file, line));
    }

    static Entry user(String target, String store, Kind kind, Method method, Attributes attributes,
            Attributes parents, Entry.UserHome home, String file, int line) {
        return new Entry(AbsolutePath.of(target), AbsolutePath.of(store), kind, method, Stage.SYSTEM, attributes,
                parents, Optional.of(home), new Origin(file, line));
    }

    @Nested
    class ValidConfigs {

        @Test
        void theFullExampleIsNormalisedEntryByEntry() throws Exception {
            Path file = resource("valid.toml");
            Config config = ConfigLoader.load(file, resource("root"));
            String f = file.toString();

            assertThat(config.file()).isEqualTo(f);
            assertThat(config.root()).isEqualTo(new RootConfig.Btrfs(
                    "/dev/disk/by-label/system", "@root", "@root-blank",
                    new Retention(OptionalInt.of(3), Optional.of(Duration.ofDays(2)), OptionalInt.of(24),
                            OptionalInt.of(7), OptionalInt.of(4), OptionalInt.of(6)),
                    new Origin(f, 2)));
            assertThat(config.stores()).containsExactly(
                    new StoreConfig(AbsolutePath.of("/persist"), false, new Origin(f, 10)),
                    new StoreConfig(AbsolutePath.of("/scratch"), false, new Origin(f, 25)));

            Attributes persistParents = Attributes.of(ROOT, ADM, new Mode(0711));
            Attributes aliceParents = Attributes.of(ALICE, ALICE, new Mode(0755));
            Entry.UserHome aliceHome = new Entry.UserHome(ALICE, ALICE, AbsolutePath.of("/home/alice"));
            Entry.UserHome bobHome = new Entry.UserHome(BOB, USERS, AbsolutePath.of("/home/bob"));
            // carol's primary group 1777 is not in etc/group: it is named by its number.
            Principal carolGroup = new Principal("1777", 1777);
            Entry.UserHome carolHome = new Entry.UserHome(CAROL, carolGroup, AbsolutePath.of("/home/carol"));

            assertThat(config.entries()).containsExactly(
                    system("/etc/machine-id", "/persist", Kind.FILE, Method.BIND, Stage.INITRD,
                            Attributes.UNDECLARED, persistParents, f, 19),
                    system("/etc/ssh/ssh_host_ed25519_key", "/persist", Kind.FILE, Method.SYMLINK, Stage.SYSTEM,
                            mode(0600), persistParents, f, 19),
                    user("/home/alice/.bash_history", "/persist", Kind.FILE, Method.BIND,
                            Attributes.UNDECLARED, aliceParents, aliceHome, f, 23),
                    user("/home/alice/.ssh", "/persist", Kind.DIRECTORY, Method.BIND,
                            mode(0700), aliceParents, aliceHome, f, 22),
                    user("/home/alice/Documents", "/persist", Kind.DIRECTORY, Method.BIND,
                            Attributes.UNDECLARED, aliceParents, aliceHome, f, 22),
                    user("/home/bob/.cache/mozilla", "/scratch", Kind.DIRECTORY, Method.SYMLINK,
                            Attributes.UNDECLARED, Attributes.of(BOB, USERS, new Mode(0700)), bobHome, f, 28),
                    user("/home/carol/notes.txt", "/scratch", Kind.FILE, Method.BIND,
                            Attributes.UNDECLARED, Attributes.of(CAROL, carolGroup, new Mode(0755)), carolHome, f, 29),
                    system("/srv/app/data", "/persist", Kind.DIRECTORY, Method.BIND, Stage.SYSTEM,
                            declared(new Principal("1500", 1500), new Principal("2500", 2500), null),
                            Attributes.of(ROOT, ADM, new Mode(0750)), f, 17),
                    system("/var/lib/libvirt", "/persist", Kind.DIRECTORY, Method.BIND, Stage.SYSTEM,
                            Attributes.of(ROOT, ROOT, new Mode(0700)), persistParents, f, 14),
                    system("/var/log", "/persist", Kind.DIRECTORY, Method.BIND, Stage.SYSTEM,
                            Attributes.UNDECLARED, persistParents, f, 13),
                    system("/var/www", "/scratch", Kind.DIRECTORY, Method.BIND, Stage.SYSTEM,
                            declared(WWW_DATA_USER, WWW_DATA_GROUP, null),
                            Attributes.of(ROOT, ROOT, new Mode(0755)), f, 27));
        }

        @Test
        void theDesignSketchParses() throws Exception {
            Config config = parse("""
                    [root]
                    strategy = "btrfs"
                    device   = "/dev/disk/by-label/system"
                    subvolume = "@root"
                    blank    = "@root-blank"
                    [root.archive]
                    keep = { last = 3, daily = 7, weekly = 4 }

                    [[store]]
                    path = "/persist"
                    directories = [
                      "/var/log",
                      { path = "/var/lib/libvirt", mode = "0700" },
                    ]
                    files = [
                      { path = "/etc/machine-id", stage = "initrd" },
                      { path = "/etc/ssh/ssh_host_ed25519_key", mode = "0600" },
                    ]
                    [store.users.alice]
                    directories = ["Documents", { path = ".ssh", mode = "0700" }]
                    files = [".bash_history"]
                    """);
            assertThat(config.root().retention()).isEqualTo(new Retention(OptionalInt.of(3), Optional.empty(),
                    OptionalInt.empty(), OptionalInt.of(7), OptionalInt.of(4), OptionalInt.empty()));
            assertThat(config.entries()).extracting(e -> e.target().value(), e -> e.origin().line()).containsExactly(
                    tuple("/etc/machine-id", 16),
                    tuple("/etc/ssh/ssh_host_ed25519_key", 17),
                    tuple("/home/alice/.bash_history", 21),
                    tuple("/home/alice/.ssh", 20),
                    tuple("/home/alice/Documents", 20),
                    tuple("/var/lib/libvirt", 13),
                    tuple("/var/log", 12));
            // Without a store-wide parent, system parents are root:root 0755.
            assertThat(config.entries().getLast().parents()).isEqualTo(Attributes.of(ROOT, ROOT, new Mode(0755)));
        }

        @Test
        void anEmptyConfigHasNoRootStrategyAndNoEntries() throws Exception {
            Config config = parse("");
            assertThat(config.root()).isEqualTo(new RootConfig.None(new Origin(FILE, 0)));
            assertThat(config.stores()).isEmpty();
            assertThat(config.entries()).isEmpty();
        }

        @Test
        void dottedUserKeysInsideAStoreMeanTheSameAsAUserTable() throws Exception {
            Config asTable = parse("""
                    [[store]]
                    path = "/persist"
                    [store.users.alice]
                    directories = [ "Documents", { path = ".ssh", mode = "0700" } ]
                    files = [ ".bash_history" ]
                    """);
            Config asDottedKeys = parse("""
                    [[store]]
                    path = "/persist"
                    users.alice.directories = [ "Documents", { path = ".ssh", mode = "0700" } ]
                    users.alice.files = [ ".bash_history" ]
                    """);
            assertThat(withoutOrigins(asDottedKeys.entries())).hasSize(3).isEqualTo(withoutOrigins(asTable.entries()));
        }

        @Test
        void aUserMayBeNamedByNumericUidAndAUserNameMayContainDots() throws Exception {
            Accounts accounts = Accounts.of(
                    List.of(new Accounts.User("first.last", 1200, 100, AbsolutePath.of("/home/first.last"))),
                    List.of(new Accounts.Group("users", 100)));
            Config config = ConfigLoader.parse("""
                    [[store]]
                    path = "/persist"
                    users."first.last".files = [ ".profile" ]
                    users.1200.directories = [ "src" ]
                    """, FILE, accounts);
            assertThat(config.entries()).extracting(e -> e.target().value())
                    .containsExactly("/home/first.last/.profile", "/home/first.last/src");
            assertThat(config.entries().getFirst().home().orElseThrow().user())
                    .isEqualTo(new Principal("first.last", 1200));
        }

        @Test
        void anEntryParentOverridesTheStoreParentKeyByKey() throws Exception {
            Config config = parse("""
                    [[store]]
                    path = "/persist"
                    parent = { owner = "alice", mode = "0750" }
                    directories = [ { path = "/srv/a/b", parent = { group = "users", mode = "0700" } } ]
                    """);
            assertThat(config.entries().getFirst().parents()).isEqualTo(Attributes.of(ALICE, USERS, new Mode(0700)));
        }

        @Test
        void zfsDefaultsTheBlankSnapshotName() throws Exception {
            RootConfig root = parse("""
                    [root]
                    strategy = "zfs"
                    dataset = "rpool/local/root"
                    """).root();
            assertThat(root).isEqualTo(new RootConfig.Zfs("rpool/local/root", "blank", Retention.UNDECLARED,
                    new Origin(FILE, 1)));
        }

        @Test
        void overlayTakesAnUpperDirectoryAndAnOptionalDevice() throws Exception {
            RootConfig root = parse("""
                    [root]
                    strategy = "overlay"
                    upper = "/persist/.overlay"
                    device = "/dev/vda2"
                    """).root();
            assertThat(root).isEqualTo(new RootConfig.Overlay(AbsolutePath.of("/persist/.overlay"),
                    Optional.of("/dev/vda2"), Retention.UNDECLARED, new Origin(FILE, 1)));
        }

        @Test
        void tmpfsNeedsNothingElse() throws Exception {
            assertThat(parse("[root]\nstrategy = \"tmpfs\"\n").root().strategy()).isEqualTo(Strategy.TMPFS);
        }

        private static List<Entry> withoutOrigins(List<Entry> entries) {
            return entries.stream().map(e -> new Entry(e.target(), e.store(), e.kind(), e.method(), e.stage(),
                    e.attributes(), e.parents(), e.home(), new Origin("", 0))).toList();
        }
    }

    @Nested
    class Loading {

        @Test
        void aMissingFileIsNamed(@TempDir Path dir) {
            Path missing = dir.resolve("nowhere.toml");
            try {
                ConfigLoader.load(missing, dir);
                fail("expected a ConfigException");
            } catch (ConfigException e) {
                assertThat(e.errors()).hasSize(1);
                assertThat(e.getMessage()).contains(missing.toString()).contains("not found");
            }
        }

        @Test
        void aDirectoryInsteadOfAFileIsNamed(@TempDir Path dir) {
            try {
                ConfigLoader.load(dir, dir);
                fail("expected a ConfigException");
            } catch (ConfigException e) {
                assertThat(e.getMessage()).contains("cannot read config file " + dir);
            }
        }

        @Test
        void usersComeFromTheManagedRootNotTheHost(@TempDir Path dir) throws Exception {
            Files.createDirectories(dir.resolve("etc"));
            Files.writeString(dir.resolve("etc/passwd"), "zed:x:4242:4242::/home/zed:/bin/sh\n");
            Path file = dir.resolve("lethe.toml");
            Files.writeString(file, "[[store]]\npath = \"/persist\"\nusers.zed.files = [ \".zshrc\" ]\n");
            Config config = ConfigLoader.load(file, dir);
            assertThat(config.entries().getFirst().target()).isEqualTo(AbsolutePath.of("/home/zed/.zshrc"));
            assertThat(config.entries().getFirst().parents().owner()).contains(new Principal("zed", 4242));
            assertThat(config.entries().getFirst().origin()).isEqualTo(new Origin(file.toString(), 3));
        }
    }

    @Nested
    class Errors {

        @Test
        void tomlSyntaxErrorsCarryTomlsLine() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    directories = [ "/var/log"
                    files = []
                    """);
            assertThat(error.origin().line()).isEqualTo(4);
            assertThat(error.toString()).startsWith(FILE + ":4: TOML syntax error");
        }

        @Test
        void aWrongValueTypeInAnEntryNamesTheKeyAndThePath() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    directories = [
                      { path = "/var/lib/foo", mode = 700 },
                    ]
                    """);
            assertError(error, 4, "/var/lib/foo", "mode must be an octal string", "found an integer");
        }

        @Test
        void directoriesMustBeAnArray() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"

                    directories = "/var/log"
                    """);
            assertThat(error.origin().line()).isEqualTo(4);
            assertThat(error.toString()).contains("directories in [[store]] must be an array", "found a string");
        }

        @Test
        void anEntryOfTheWrongTypeIsReportedOnItsOwnLine() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    files = [
                      "/etc/a",
                      42,
                    ]
                    """);
            assertThat(error.origin().line()).isEqualTo(5);
            assertThat(error.message()).contains("must be a path string or a table", "found an integer");
        }

        @Test
        void aSystemPathMustBeAbsolute() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    directories = [
                      "/var/log",
                      "var/lib/foo",
                    ]
                    """);
            assertError(error, 5, "var/lib/foo", "relative", "starting with /");
        }

        @ParameterizedTest
        @ValueSource(strings = {"/var//log", "/var/./log", "/var/../etc", "/var/log/", "/var/l\\u0000g"})
        void malformedSystemPathsAreRefused(String path) {
            ConfigError error = onlyErrorOf("[[store]]\npath = \"/persist\"\n\nfiles = [ \"" + path + "\" ]\n");
            String unescaped = path.replace("\\u0000", "\0");
            assertError(error, 4, unescaped, "invalid path");
        }

        @Test
        void aUserPathMustBeRelativeToTheHome() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    [store.users.alice]
                    directories = [ "Documents",
                        "/home/alice/Music" ]
                    """);
            assertError(error, 5, "/home/alice/Music", "relative to their home", "without the leading /");
        }

        @Test
        void aUserPathMustNotClimbOutOfTheHome() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    [store.users.alice]
                    files = [ "../bob/.bashrc" ]
                    """);
            assertError(error, 4, "../bob/.bashrc", ".. component");
        }

        @ParameterizedTest
        @ValueSource(strings = {"~/.ssh", "$HOME/.config", "${HOME}/.local/share", "~"})
        void theShellsHomeShorthandIsRefusedInUserEntries(String written) {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    [store.users.root]
                    directories = [ "%s" ]
                    """.formatted(written));
            String advice = written.contains("/") ? written.substring(written.indexOf('/') + 1) : "Documents";
            assertError(error, 4, written, "user entries are relative to the home: write `" + advice + "`");
        }

        @Test
        void aStoreParentIsCompletedOrRefusedLikeAnEntrysParent() throws Exception {
            // Incomplete: the rest is root:root, as for an entry's parent.
            Config config = parse("""
                    [[store]]
                    path = "/persist"
                    parent = { mode = "0700" }
                    directories = [ "/srv/a" ]
                    """);
            assertThat(config.entries().getFirst().parents()).isEqualTo(Attributes.of(ROOT, ROOT, new Mode(0700)));
            assertError(onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    parent = { owner = "root", group = "nogroup", mode = "0700" }
                    directories = [ "/srv/a" ]
                    """), 3, "/persist", "unknown group 'nogroup'");
            assertError(onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    parent = { owner = "root", group = "root", mode = "abc" }
                    files = [ "/srv/b" ]
                    [store.users.alice]
                    directories = [ "Documents" ]
                    """), 3, "/persist", "invalid mode");
        }

        @ParameterizedTest
        @ValueSource(strings = {"[", "{ a = "})
        void deeplyNestedTomlIsAConfigErrorNotACrash(String opening) {
            String toml = "# deep\nx = " + opening.repeat(5000) + "\n";
            ConfigError error = onlyErrorOf(toml);
            assertThat(error.origin()).isEqualTo(new Origin(FILE, 2));
            assertThat(error.message()).contains("nested more than 64 deep");
        }

        @Test
        void bracketsInStringsAndCommentsAreNotNesting() throws Exception {
            String brackets = "[".repeat(100);
            String q3 = "\"\"\"";
            Config config = parse("# " + brackets + "\n[[store]]\npath = \"/persist\"\n"
                    + "directories = [ \"/srv/" + brackets + "\", '/srv/l" + brackets + "', { path = " + q3 + "/srv/m"
                    + brackets + q3 + " } ]\n");
            assertThat(config.entries()).hasSize(3);
        }

        @Test
        void aChainOfNestedEntriesGivesOneErrorPerInnerEntry() {
            StringBuilder toml = new StringBuilder("[[store]]\npath = \"/persist\"\ndirectories = [\n");
            String path = "";
            for (int i = 0; i < 500; i++) {
                path += "/d";
                toml.append("  \"").append(path).append("\",\n");
            }
            toml.append("]\n");
            List<ConfigError> errors = errorsOf(toml.toString());
            assertThat(errors).hasSize(499);
            // Each names its nearest outer entry, on the line before its own.
            assertError(errors.getLast(), 503, path, "inside " + path.substring(0, path.length() - 2) + ", declared at lethe.toml:502");
        }

        @Test
        void aStorePathMustBeAbsolute() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "persist"
                    """);
            assertError(error, 2, "persist", "invalid store path", "relative");
        }

        @Test
        void aStoreCannotBeTheRoot() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/"
                    """);
            assertError(error, 2, "/", "a store cannot be /");
        }

        @Test
        void aStoreNeedsAPath() {
            ConfigError error = onlyErrorOf("""
                    [root]
                    strategy = "none"
                    [[store]]
                    directories = [ "/var/log" ]
                    """);
            assertThat(error.origin().line()).isEqualTo(3);
            assertThat(error.message()).contains("this store has no path");
        }

        @Test
        void aStoreMustBeAnArrayOfTables() {
            ConfigError error = onlyErrorOf("""
                    [store]
                    path = "/persist"
                    """);
            assertThat(error.origin().line()).isEqualTo(1);
            assertThat(error.message()).contains("write [[store]]");
        }

        @Test
        void theRootItselfCannotBeAnEntry() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    directories = [ "/" ]
                    """);
            assertError(error, 3, "/", "cannot persist / itself");
        }

        @ParameterizedTest
        @ValueSource(strings = {"/proc", "/sys/kernel", "/dev", "/dev/shm", "/run", "/run/foo"})
        void kernelAndRuntimeFilesystemsCannotBeEntries(String path) {
            ConfigError error = onlyErrorOf("[[store]]\npath = \"/persist\"\n\ndirectories = [ \"" + path + "\" ]\n");
            assertError(error, 4, path, "cannot be persisted", "/" + path.split("/")[1]);
        }

        @Test
        void anEntryUnderAVolatileNameThatOnlyLooksAlikeIsFine() throws Exception {
            assertThat(parse("[[store]]\npath = \"/persist\"\ndirectories = [ \"/runner\", \"/devel\" ]\n").entries())
                    .hasSize(2);
        }

        @Test
        void aDuplicateEntryInAnotherStoreNamesTheFirstDeclaration() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    directories = [ "/var/log" ]

                    [[store]]
                    path = "/scratch"
                    directories = [
                      "/var/log",
                    ]
                    """);
            assertError(error, 8, "/var/log", "declared twice", "also declared at lethe.toml:3");
        }

        @Test
        void aUserEntryThatDuplicatesASystemEntryIsCaughtAfterResolvingTheHome() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    directories = [ "/home/alice/Documents" ]
                    [store.users.alice]
                    directories = [ "Documents" ]
                    """);
            assertError(error, 5, "/home/alice/Documents", "also declared at lethe.toml:3");
        }

        @Test
        void aNestedEntryNamesBothEntries() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    directories = [
                      "/var/lib/foo",
                      "/var/lib",
                    ]
                    """);
            // The inner entry is the one reported, wherever it is written.
            assertError(error, 4, "/var/lib/foo", "inside /var/lib, declared at lethe.toml:5", "nested");
        }

        @Test
        void anEntryInsideAStoreIsRefused() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    directories = [ "/persist/var/log" ]
                    """);
            assertError(error, 3, "/persist/var/log", "inside the store /persist (declared at lethe.toml:1)");
        }

        @Test
        void anEntryEqualToAStoreIsRefused() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    [[store]]
                    path = "/scratch"
                    directories = [ "/persist" ]
                    """);
            assertError(error, 5, "/persist", "inside the store /persist");
        }

        @Test
        void aStoreInsideAnEntryIsRefused() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    directories = [ "/mnt" ]

                    [[store]]
                    path = "/mnt/data"
                    """);
            assertError(error, 5, "/mnt/data", "store is inside the entry /mnt (declared at lethe.toml:3)");
        }

        @Test
        void aStoreInsideAnotherStoreIsRefused() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    [[store]]
                    path = "/persist/cache"
                    """);
            assertError(error, 3, "/persist/cache", "inside the store /persist (declared at lethe.toml:1)");
        }

        @Test
        void theSameStoreTwiceIsRefused() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    [[store]]
                    path = "/persist"
                    """);
            assertError(error, 3, "/persist", "declared twice", "lethe.toml:1");
        }

        @Test
        void unknownOwnersAndGroupsAreNamed() {
            List<ConfigError> errors = errorsOf("""
                    [[store]]
                    path = "/persist"
                    directories = [
                      { path = "/srv/a", owner = "mallory" },
                      { path = "/srv/b", group = "wheel" },
                    ]
                    """);
            assertThat(errors).hasSize(2);
            assertError(errors.get(0), 4, "/srv/a", "unknown user 'mallory'", "etc/passwd");
            assertError(errors.get(1), 5, "/srv/b", "unknown group 'wheel'", "etc/group");
        }

        @Test
        void anOwnerTypoGetsASuggestion() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    directories = [ { path = "/srv/a", owner = "alcie" } ]
                    """);
            assertError(error, 3, "/srv/a", "unknown user 'alcie'", "did you mean 'alice'?");
        }

        @Test
        void anUnknownUserTableIsNamed() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"

                    [store.users.mallory]
                    directories = [ "Documents" ]
                    """);
            assertThat(error.origin().line()).isEqualTo(4);
            assertThat(error.message()).contains("unknown user 'mallory'", "[store.users.mallory]");
        }

        @Test
        void aNumericIdNotInPasswdIsNoUserForAUserTable() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    users.4000.files = [ ".profile" ]
                    """);
            assertThat(error.origin().line()).isEqualTo(3);
            assertThat(error.message()).contains("unknown user '4000'");
        }

        @Test
        void aUserWithoutAHomeIsRefused() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    [store.users.nohome]
                    files = [ ".profile" ]
                    """);
            assertThat(error.origin().line()).isEqualTo(3);
            assertThat(error.message()).contains("user 'nohome' has no home directory");
        }

        @Test
        void anEntryOfAnUnknownUserIsStillChecked() {
            List<ConfigError> errors = errorsOf("""
                    [[store]]
                    path = "/persist"
                    [store.users.mallory]
                    directories = [ { path = ".ssh", mode = "999" } ]
                    """);
            assertThat(errors).extracting(e -> e.origin().line()).containsExactly(3, 4);
            assertThat(errors.get(1).message()).contains("invalid mode");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0800", "rwx", "07777777", ""})
        void invalidModesAreRefused(String mode) {
            ConfigError error = onlyErrorOf("[[store]]\npath = \"/persist\"\nfiles = [\n { path = \"/etc/x\", mode = \""
                    + mode + "\" } ]\n");
            assertError(error, 4, "/etc/x", "invalid mode", "octal");
        }

        @Test
        void anUnknownMethodIsRefusedWithASuggestion() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    files = [ { path = "/etc/x", method = "symlnk" } ]
                    """);
            assertError(error, 3, "/etc/x", "unknown method \"symlnk\"", "did you mean 'symlink'?");
        }

        @Test
        void anUnknownStageIsRefusedListingTheChoices() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    files = [ { path = "/etc/x", stage = "early-boot" } ]
                    """);
            assertError(error, 3, "/etc/x", "unknown stage \"early-boot\"", "initrd, system");
        }

        @Test
        void anEntryTableNeedsAPath() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    directories = [
                      { mode = "0700" },
                    ]
                    """);
            assertThat(error.origin().line()).isEqualTo(4);
            assertThat(error.message()).contains("no path");
        }

        @Test
        void unknownKeysGetADidYouMean() {
            List<ConfigError> errors = errorsOf("""
                    [root]
                    stratgy = "btrfs"

                    [[store]]
                    path = "/persist"
                    directores = [ "/var/log" ]
                    files = [ { path = "/etc/x", mdoe = "0600" } ]
                    """);
            assertThat(errors).extracting(e -> e.origin().line()).containsExactly(1, 2, 6, 7);
            assertThat(errors.get(0).message()).contains("[root] has no strategy");
            assertThat(errors.get(1).message()).contains("unknown key 'stratgy' in [root]; did you mean 'strategy'?");
            assertThat(errors.get(2).message()).contains("unknown key 'directores' in [[store]]; did you mean 'directories'?");
            assertError(errors.get(3), 7, "/etc/x", "unknown key 'mdoe' in an entry; did you mean 'mode'?");
        }

        @Test
        void anUnknownKeyFarFromAnyKnownOneListsTheKnownKeys() {
            ConfigError error = onlyErrorOf("""
                    [[store]]
                    path = "/persist"
                    compression = "zstd"
                    """);
            assertThat(error.origin().line()).isEqualTo(3);
            assertThat(error.message()).contains("unknown key 'compression'", "path, directories, files, parent, users")
                    .doesNotContain("did you mean");
        }

        @Test
        void unknownKeysAreFoundInUserTablesParentsAndTheTopLevel() {
            List<ConfigError> errors = errorsOf("""
                    stores = []
                    [[store]]
                    path = "/persist"
                    parent = { onwer = "root" }
                    [store.users.alice]
                    file = [ ".profile" ]
                    """);
            assertThat(errors).extracting(e -> e.origin().line()).containsExactly(1, 4, 6);
            assertThat(errors.get(0).message()).contains("'stores'", "did you mean 'store'?");
            assertThat(errors.get(1).message()).contains("'onwer'", "did you mean 'owner'?");
            assertThat(errors.get(2).message()).contains("'file'", "[store.users.alice]", "did you mean 'files'?");
        }

        @Test
        void severalErrorsInOneFileAreAllReportedInLineOrder() {
            List<ConfigError> errors = errorsOf("""
                    [root]
                    strategy = "btrfs"
                    device = "/dev/sda2"
                    subvolume = "@root"
                    [[store]]
                    path = "/persist"
                    directories = [
                      "var/log",
                      { path = "/var/lib/x", mode = "0999" },
                      "/proc/sys",
                    ]
                    [store.users.alice]
                    files = [ "/etc/passwd" ]
                    [store.users.eve]
                    files = [ ".profile" ]
                    """);
            assertThat(errors).extracting(e -> e.origin().line()).containsExactly(1, 8, 9, 10, 13, 14);
            assertThat(errors.get(0).message()).contains("needs blank");
            try {
                parse("[[store]]\npath = \"a\"\n[[store]]\npath = \"b\"\n");
                fail("expected a ConfigException");
            } catch (ConfigException e) {
                assertThat(e.getMessage()).isEqualTo("""
                        lethe.toml:2: a: invalid store path: the path is relative; write it from the root, starting with /
                        lethe.toml:4: b: invalid store path: the path is relative; write it from the root, starting with /""");
            }
        }
    }

    @Nested
    class RootErrors {

        @Test
        void btrfsNeedsDeviceSubvolumeAndBlank() {
            List<ConfigError> errors = errorsOf("""
                    # the machine's root
                    [root]
                    strategy = "btrfs"
                    """);
            assertThat(errors).extracting(e -> e.origin().line()).containsExactly(2, 2, 2);
            assertThat(errors).extracting(ConfigError::message).anySatisfy(m -> assertThat(m).contains("needs device"))
                    .anySatisfy(m -> assertThat(m).contains("needs subvolume"))
                    .anySatisfy(m -> assertThat(m).contains("needs blank"));
        }

        @Test
        void btrfsBlankMustDifferFromTheRootSubvolume() {
            ConfigError error = onlyErrorOf("""
                    [root]
                    strategy = "btrfs"
                    device = "/dev/sda2"
                    subvolume = "@root"
                    blank = "@root"
                    """);
            assertThat(error.origin().line()).isEqualTo(5);
            assertThat(error.message()).contains("same subvolume");
        }

        @Test
        void zfsNeedsADataset() {
            ConfigError error = onlyErrorOf("[root]\nstrategy = \"zfs\"\n");
            assertThat(error.origin().line()).isEqualTo(1);
            assertThat(error.message()).contains("needs dataset");
        }

        @Test
        void overlayNeedsAnUpperDirectory() {
            ConfigError error = onlyErrorOf("[root]\nstrategy = \"overlay\"\ndevice = \"/dev/vda2\"\n");
            assertThat(error.origin().line()).isEqualTo(1);
            assertThat(error.message()).contains("needs upper");
        }

        @Test
        void overlayUpperMustBeAnAbsolutePath() {
            ConfigError error = onlyErrorOf("[root]\nstrategy = \"overlay\"\nupper = \"persist/upper\"\n");
            assertError(error, 3, "persist/upper", "upper", "relative");
        }

        @Test
        void keysOfAnotherStrategyAreRefused() {
            List<ConfigError> errors = errorsOf("""
                    [root]
                    strategy = "btrfs"
                    device = "/dev/sda2"
                    subvolume = "@root"
                    blank = "@blank"
                    dataset = "rpool/root"
                    """);
            assertThat(errors).singleElement().satisfies(e -> {
                assertThat(e.origin().line()).isEqualTo(6);
                assertThat(e.message()).contains("'dataset' does not apply to strategy \"btrfs\"", "device, subvolume, blank, archive");
            });
        }

        @Test
        void tmpfsTakesNoArchive() {
            ConfigError error = onlyErrorOf("""
                    [root]
                    strategy = "tmpfs"
                    [root.archive]
                    keep = { last = 1 }
                    """);
            assertThat(error.origin().line()).isEqualTo(3);
            assertThat(error.message()).contains("'archive' does not apply to strategy \"tmpfs\"", "no other keys");
        }

        @Test
        void anUnknownStrategyIsNamedWithASuggestion() {
            ConfigError error = onlyErrorOf("[root]\n\nstrategy = \"btfrs\"\n");
            assertThat(error.origin().line()).isEqualTo(3);
            assertThat(error.message()).contains("unknown strategy \"btfrs\"", "did you mean 'btrfs'?");
        }

        @Test
        void theStrategyMustBeAString() {
            ConfigError error = onlyErrorOf("[root]\nstrategy = true\n");
            assertThat(error.origin().line()).isEqualTo(2);
            assertThat(error.message()).contains("strategy must be a string", "found a boolean");
        }
    }
}
