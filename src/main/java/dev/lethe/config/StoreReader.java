package dev.lethe.config;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Attributes;
import dev.lethe.model.Entry;
import dev.lethe.model.Kind;
import dev.lethe.model.Method;
import dev.lethe.model.Mode;
import dev.lethe.model.Principal;
import dev.lethe.model.Stage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * Reads every [[store]] and its entries into normalised {@link Entry} values: paths resolved
 * (user paths against the home in passwd), names resolved to ids, parent attributes completed.
 * Checks that need all entries at once live in {@link Overlaps}.
 */
final class StoreReader {

    private static final List<String> STORE_KEYS = List.of("path", "directories", "files", "parent", "users", "on-root");
    private static final List<String> USER_KEYS = List.of("directories", "files");
    private static final List<String> ENTRY_KEYS = List.of("path", "owner", "group", "mode", "method", "stage", "parent");
    private static final List<String> PARENT_KEYS = List.of("owner", "group", "mode");
    /** Filesystems the kernel or early boot creates afresh: never on the root, so never persistable. */
    private static final List<AbsolutePath> VOLATILE = List.of(
            AbsolutePath.of("/proc"), AbsolutePath.of("/sys"), AbsolutePath.of("/dev"), AbsolutePath.of("/run"));
    private static final Attributes SYSTEM_PARENTS =
            Attributes.of(Principal.ROOT_USER, Principal.ROOT_GROUP, Mode.DIRECTORY_DEFAULT);
    /** Stands in for a store whose path is invalid: that error already exists, so no Config is built. */
    private static final AbsolutePath INVALID_STORE = AbsolutePath.ROOT;

    private final Source source;
    private final Accounts accounts;
    private final List<StoreConfig> stores = new ArrayList<>();
    private final List<Entry> entries = new ArrayList<>();

    StoreReader(Source source, Accounts accounts) {
        this.source = source;
        this.accounts = accounts;
    }

    /**
     * Where entries are being read: the system, or one user's home. {@code user} is null for system
     * entries; {@code home} is empty for an unknown user, whose entries are checked but not built.
     */
    private record Scope(String user, Optional<Entry.UserHome> home, Attributes parents, String where) {
        boolean isUser() {
            return user != null;
        }
    }

    List<StoreConfig> stores() {
        return List.copyOf(stores);
    }

    List<Entry> entries() {
        return List.copyOf(entries);
    }

    void read(TomlTable document) {
        Object value = Source.get(document, "store");
        if (value == null) {
            return; // no store is fine: a config may set up only the root strategy
        }
        int line = Source.lineOf(document, "store");
        if (!(value instanceof TomlArray array)) {
            source.error(line, null, "store must be an array of tables: write [[store]] (double brackets) once per store; found "
                    + Source.typeName(value));
            return;
        }
        for (int i = 0; i < array.size(); i++) {
            int storeLine = source.lineOf(array, i, line);
            if (array.get(i) instanceof TomlTable table) {
                readStore(table, storeLine);
            } else {
                source.error(storeLine, null, "each store must be a table with a path; found " + Source.typeName(array.get(i)));
            }
        }
    }

    private void readStore(TomlTable table, int line) {
        Keys.requireKnown(source, table, STORE_KEYS, "[[store]]", null);
        AbsolutePath store = storePath(table, line).orElse(INVALID_STORE);
        String label = store == INVALID_STORE ? null : store.value();
        // Completed key by key, like an entry's parent: what is absent (or invalid, already reported) is root:root 0755.
        Attributes parents = parentAttributes(table, label).map(declared -> declared.orElse(SYSTEM_PARENTS))
                .orElse(SYSTEM_PARENTS);
        Scope system = new Scope(null, Optional.empty(), parents, "[[store]]");
        readEntries(table, "directories", Kind.DIRECTORY, system, store, line);
        readEntries(table, "files", Kind.FILE, system, store, line);

        Object users = Source.get(table, "users");
        if (users == null) {
            return;
        }
        if (!(users instanceof TomlTable byName)) {
            source.error(Source.lineOf(table, "users"), label,
                    "users must be a table of user names: write [store.users.alice] with directories and files below it; found "
                            + Source.typeName(users));
            return;
        }
        for (String name : byName.keySet()) {
            readUser(byName, name, store);
        }
    }

    private Optional<AbsolutePath> storePath(TomlTable table, int storeLine) {
        Object value = Source.get(table, "path");
        if (value == null) {
            source.error(storeLine, null, "this store has no path; add path = \"/persist\" (a directory on a filesystem that survives reboots)");
            return Optional.empty();
        }
        int line = Source.lineOf(table, "path");
        if (!(value instanceof String text)) {
            source.error(line, null, "the store path must be a string like \"/persist\"; found " + Source.typeName(value));
            return Optional.empty();
        }
        String problem = AbsolutePath.problemWith(text);
        if (problem != null) {
            source.error(line, text, "invalid store path: " + problem);
            return Optional.empty();
        }
        if (text.equals("/")) {
            source.error(line, text, "a store cannot be / (the root is what gets wiped); use a directory on a persistent filesystem, like /persist");
            return Optional.empty();
        }
        AbsolutePath path = AbsolutePath.of(text);
        boolean onRoot = false;
        Object onRootValue = Source.get(table, "on-root");
        if (onRootValue instanceof Boolean flag) {
            onRoot = flag;
        } else if (onRootValue != null) {
            source.error(Source.lineOf(table, "on-root"), text, "on-root must be true or false; found " + Source.typeName(onRootValue));
        }
        stores.add(new StoreConfig(path, onRoot, source.origin(storeLine)));
        return Optional.of(path);
    }

    private void readUser(TomlTable byName, String name, AbsolutePath store) {
        int line = Source.lineOf(byName, name);
        String where = "[store.users." + name + "]";
        Object value = Source.get(byName, name);
        if (!(value instanceof TomlTable table)) {
            source.error(line, null, where + " must be a table with directories and files; found " + Source.typeName(value));
            return;
        }
        Keys.requireKnown(source, table, USER_KEYS, where, null);
        Optional<Entry.UserHome> home = userHome(name, line);
        Attributes parents = home.map(h -> Attributes.of(h.user(), h.group(), Mode.DIRECTORY_DEFAULT)).orElse(SYSTEM_PARENTS);
        Scope scope = new Scope(name, home, parents, where);
        readEntries(table, "directories", Kind.DIRECTORY, scope, store, line);
        readEntries(table, "files", Kind.FILE, scope, store, line);
    }

    private Optional<Entry.UserHome> userHome(String name, int line) {
        Optional<Accounts.User> found = accounts.knownUser(name);
        if (found.isEmpty()) {
            source.error(line, null, "unknown user '" + name + "' in [store.users." + name + "]: not in etc/passwd of the managed root"
                    + Keys.closest(name, accounts.userNames()).map(n -> "; did you mean '" + n + "'?")
                            .orElse("; create the user first, or fix the name"));
            return Optional.empty();
        }
        Accounts.User user = found.get();
        if (user.home().isRoot()) {
            source.error(line, null, "user '" + name + "' has no home directory of its own in etc/passwd (it is missing, relative or /), "
                    + "so its paths cannot be placed; give the user a home (usermod -d) or declare the paths as system entries");
            return Optional.empty();
        }
        Principal group = accounts.groupById(user.gid())
                .map(g -> new Principal(g.name(), g.gid()))
                .orElse(new Principal(Integer.toString(user.gid()), user.gid()));
        return Optional.of(new Entry.UserHome(new Principal(user.name(), user.uid()), group, user.home()));
    }

    private void readEntries(TomlTable table, String key, Kind kind, Scope scope, AbsolutePath store, int fallbackLine) {
        Object value = Source.get(table, key);
        if (value == null) {
            return;
        }
        int keyLine = Source.lineOf(table, key);
        if (!(value instanceof TomlArray array)) {
            String example = scope.isUser() ? "\"Documents\"" : "\"/var/log\"";
            source.error(keyLine == 0 ? fallbackLine : keyLine, null, key + " in " + scope.where()
                    + " must be an array, like " + key + " = [ " + example + " ]; found " + Source.typeName(value));
            return;
        }
        for (int i = 0; i < array.size(); i++) {
            int line = source.lineOf(array, i, keyLine);
            switch (array.get(i)) {
                case String path -> readEntry(path, null, line, kind, scope, store);
                case TomlTable entry -> readTableEntry(entry, line, kind, scope, store);
                case Object other -> source.error(line, null, "each item of " + key + " in " + scope.where()
                        + " must be a path string or a table like { path = \"...\", mode = \"0700\" }; found " + Source.typeName(other));
            }
        }
    }

    private void readTableEntry(TomlTable table, int line, Kind kind, Scope scope, AbsolutePath store) {
        Object path = Source.get(table, "path");
        if (path instanceof String text) {
            readEntry(text, table, line, kind, scope, store);
            return;
        }
        if (path == null) {
            source.error(line, null, "this entry has no path; add path = \"...\" to the table");
        } else {
            source.error(Source.lineOf(table, "path"), null, "path must be a string; found " + Source.typeName(path));
        }
        // Still check the rest of the table, so its errors show up in the same run.
        readOptions(table, null);
    }

    /** Reads one entry: {@code table} is null for a plain path string. */
    private void readEntry(String written, TomlTable table, int line, Kind kind, Scope scope, AbsolutePath store) {
        Optional<AbsolutePath> target = target(written, line, scope);
        String label = target.map(AbsolutePath::value).orElse(written);
        Options options = table == null ? Options.DEFAULT : readOptions(table, label);
        if (target.isEmpty() || (scope.isUser() && scope.home().isEmpty())) {
            return;
        }
        entries.add(new Entry(target.get(), store, kind, options.method(), options.stage(), options.attributes(),
                options.parents().orElse(scope.parents()), scope.home(), source.origin(line)));
    }

    /** What an entry table may say besides its path; invalid values are reported and left undeclared. */
    private record Options(Attributes attributes, Method method, Stage stage, Attributes parents) {
        static final Options DEFAULT = new Options(Attributes.UNDECLARED, Method.BIND, Stage.SYSTEM, Attributes.UNDECLARED);
    }

    private Options readOptions(TomlTable table, String label) {
        Keys.requireKnown(source, table, ENTRY_KEYS, "an entry", label);
        Method method = choice(table, "method", Method.values(), Method::word, label).orElse(Method.BIND);
        Stage stage = choice(table, "stage", Stage.values(), Stage::word, label).orElse(Stage.SYSTEM);
        return new Options(attributes(table, label), method, stage, parentAttributes(table, label).orElse(Attributes.UNDECLARED));
    }

    /** The optional parent = { owner, group, mode } of a store or an entry. */
    private Optional<Attributes> parentAttributes(TomlTable table, String label) {
        Object value = Source.get(table, "parent");
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof TomlTable parent)) {
            source.error(Source.lineOf(table, "parent"), label,
                    "parent must be a table like { owner = \"root\", group = \"root\", mode = \"0755\" }; found " + Source.typeName(value));
            return Optional.empty();
        }
        Keys.requireKnown(source, parent, PARENT_KEYS, "parent", label);
        return Optional.of(attributes(parent, label));
    }

    /** owner, group and mode as declared; what is absent or invalid stays empty. */
    private Attributes attributes(TomlTable table, String label) {
        Optional<Principal> owner = string(table, "owner", "a user name or numeric uid like \"root\" or \"1000\"", label)
                .flatMap(name -> principal(name, accounts.user(name).map(u -> new Principal(u.name(), u.uid())),
                        "user", "passwd", accounts.userNames(), Source.lineOf(table, "owner"), label));
        Optional<Principal> group = string(table, "group", "a group name or numeric gid like \"root\" or \"100\"", label)
                .flatMap(name -> principal(name, accounts.group(name).map(g -> new Principal(g.name(), g.gid())),
                        "group", "group", accounts.groupNames(), Source.lineOf(table, "group"), label));
        Optional<Mode> mode = string(table, "mode", "an octal string like \"0700\" (a TOML number would be read as decimal)", label)
                .flatMap(text -> {
                    try {
                        return Optional.of(Mode.parse(text));
                    } catch (IllegalArgumentException e) {
                        source.error(Source.lineOf(table, "mode"), label, "invalid mode: " + e.getMessage());
                        return Optional.empty();
                    }
                });
        return new Attributes(owner, group, mode);
    }

    private Optional<Principal> principal(String name, Optional<Principal> found, String what, String database,
            Collection<String> known, int line, String label) {
        if (found.isEmpty()) {
            source.error(line, label, "unknown " + what + " '" + name + "': not in etc/" + database + " of the managed root"
                    + Keys.closest(name, known).map(n -> "; did you mean '" + n + "'?")
                            .orElse("; create it first, or write its numeric id"));
        }
        return found;
    }

    private Optional<String> string(TomlTable table, String key, String expected, String label) {
        Object value = Source.get(table, key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String text)) {
            source.error(Source.lineOf(table, key), label, key + " must be " + expected + "; found " + Source.typeName(value));
            return Optional.empty();
        }
        return Optional.of(text);
    }

    /** One of an enum's words ("bind", "symlink"). */
    private <E extends Enum<E>> Optional<E> choice(TomlTable table, String key, E[] values,
            Function<E, String> word, String label) {
        List<String> words = Arrays.stream(values).map(word).toList();
        return string(table, key, "one of " + String.join(", ", words), label).flatMap(text -> {
            for (E value : values) {
                if (word.apply(value).equals(text)) {
                    return Optional.of(value);
                }
            }
            source.error(Source.lineOf(table, key), label, Keys.unknown(key + " \"" + text + "\"", text, words, "an entry"));
            return Optional.empty();
        });
    }

    /** The shell's way of naming the home that {@code written} starts with ("~", "$HOME", "${HOME}"), or null. */
    private static String homeShorthand(String written) {
        for (String shorthand : List.of("${HOME}", "$HOME", "~")) {
            if (written.equals(shorthand) || written.startsWith(shorthand + "/")) {
                return shorthand;
            }
        }
        return null;
    }

    /** The entry's absolute path, or empty after reporting why it has none. */
    private Optional<AbsolutePath> target(String written, int line, Scope scope) {
        String problem;
        if (!scope.isUser()) {
            problem = AbsolutePath.problemWith(written);
        } else if (written.startsWith("/")) {
            problem = "a user's paths are relative to their home; write it without the leading /, like \"Documents\"";
        } else if (written.isEmpty()) {
            problem = "the path is empty";
        } else if (homeShorthand(written) != null) {
            // No shell expands it here: "~/.ssh" would become a directory named "~" inside the home.
            String rest = written.substring(homeShorthand(written).length()).replaceFirst("^/+", "");
            problem = "user entries are relative to the home: write `" + (rest.isEmpty() ? "Documents" : rest)
                    + "` (" + homeShorthand(written) + " is not expanded)";
        } else {
            // The same rules as for absolute paths (no "..", "//", "." or trailing /), checked below the home.
            problem = AbsolutePath.problemWith("/" + written);
        }
        if (problem != null) {
            source.error(line, written, "invalid path: " + problem);
            return Optional.empty();
        }
        if (scope.isUser() && scope.home().isEmpty()) {
            return Optional.empty(); // unknown user or home: already reported
        }
        AbsolutePath target = scope.isUser() ? scope.home().get().path().resolve(written) : AbsolutePath.of(written);
        if (target.isRoot()) {
            source.error(line, "/", "cannot persist / itself; list the directories to keep instead (strategy = \"none\" keeps the whole root)");
            return Optional.empty();
        }
        for (AbsolutePath place : VOLATILE) {
            if (target.startsWith(place)) {
                source.error(line, target.value(), "cannot be persisted: " + place
                        + " is created afresh by the kernel or early boot, never kept on the root; remove this entry");
                return Optional.empty();
            }
        }
        return Optional.of(target);
    }
}
