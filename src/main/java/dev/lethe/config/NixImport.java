package dev.lethe.config;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Kind;
import dev.lethe.model.Mode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A NixOS persistence config, as {@code nix eval --json} prints it, turned into a lethe config with
 * the same meaning, and the list of what lethe cannot express. The JSON arrives parsed into maps,
 * lists, strings, booleans and numbers (the command layer owns the JSON library).
 *
 * <p>impermanence ({@code environment.persistence}): owner, group and mode are used only when it
 * creates a missing directory, and every item carries them, defaults included; so only values that
 * differ from the item's {@code defaultPerms} are kept. preservation ({@code preservation.preserveAt})
 * sets them through tmpfiles on every boot, as lethe does with declared values; its defaults
 * (root:root, or the user, 0755 for directories, 0644 for files) are left undeclared, so lethe keeps
 * what the paths have.
 */
public final class NixImport {

    private NixImport() {}

    public enum From {
        IMPERMANENCE("impermanence", "environment.persistence"),
        PRESERVATION("preservation", "preservation.preserveAt");

        final String project;
        final String option;

        From(String project, String option) {
            this.project = project;
            this.option = option;
        }
    }

    /**
     * The lethe config and what it leaves out.
     *
     * @param problems lethe check's errors on the result (entries impermanence allows and lethe does
     *                 not, such as one inside another); empty when it passes
     */
    public record Result(String toml, List<String> notes, List<String> problems) {}

    /** One entry: a path (absolute, or relative to a user's home) and the keys of its table. */
    private record Item(String path, Kind kind, SequencedMap<String, String> options) {}

    private static final class Store {
        final List<Item> items = new ArrayList<>();
        final Map<String, List<Item>> users = new LinkedHashMap<>();
        final Map<String, AbsolutePath> homes = new LinkedHashMap<>();
    }

    public static Result translate(From from, Object json) {
        Notes notes = new Notes();
        Set<String> names = new LinkedHashSet<>();
        Map<String, Store> stores = new LinkedHashMap<>();
        if (!(json instanceof Map<?, ?> top)) {
            throw new IllegalArgumentException("expected a JSON object of storage paths, as nix eval --json ."
                    + "#nixosConfigurations.HOST.config." + from.option + " prints; found " + describe(json));
        }
        for (Map.Entry<?, ?> location : top.entrySet()) {
            String name = location.getKey().toString();
            if (!(location.getValue() instanceof Map<?, ?> body)) {
                throw new IllegalArgumentException(name + ": expected an object with directories and files; found "
                        + describe(location.getValue()));
            }
            if (Boolean.FALSE.equals(body.get("enable"))) {
                notes.add(name + ": enable = false: left out");
                continue;
            }
            String storePath = text(body.get("persistentStoragePath")).orElse(name);
            for (String flag : List.of("hideMounts", "allowTrash")) {
                if (Boolean.TRUE.equals(body.get(flag))) {
                    notes.add(storePath + ": " + flag + " = true: lethe's bind mounts carry no gvfs options");
                }
            }
            mountOptions(storePath, body.get("commonMountOptions"), notes);
            read(from, stores, storePath, null, null, body, notes, names);
            if (body.get("users") instanceof Map<?, ?> users) {
                for (Map.Entry<?, ?> user : users.entrySet()) {
                    if (user.getValue() instanceof Map<?, ?> userBody) {
                        String username = text(userBody.get("username")).orElse(user.getKey().toString());
                        Optional<AbsolutePath> home = text(userBody.get("home")).filter(h -> AbsolutePath.problemWith(h) == null)
                                .map(AbsolutePath::of);
                        mountOptions(storePath + " " + username, userBody.get("commonMountOptions"), notes);
                        read(from, stores, storePath, username, home.orElse(null), userBody, notes, names);
                    }
                }
            }
        }
        String toml = render(from, stores);
        return new Result(toml, notes.list(), check(toml, stores, names));
    }

    private static void read(From from, Map<String, Store> stores, String storePath, String user, AbsolutePath home,
            Map<?, ?> body, Notes notes, Set<String> names) {
        for (Kind kind : Kind.values()) {
            String key = kind == Kind.DIRECTORY ? "directories" : "files";
            if (!(body.get(key) instanceof List<?> items)) {
                continue;
            }
            for (Object value : items) {
                Map<?, ?> item = value instanceof String path ? Map.of(kind == Kind.DIRECTORY ? "directory" : "file", path)
                        : value instanceof Map<?, ?> map ? map : Map.of();
                Optional<String> written = text(item.get(kind == Kind.DIRECTORY ? "directory" : "file"));
                if (written.isEmpty()) {
                    notes.add(storePath + ": an item of " + key + " without a path: " + describe(value));
                    continue;
                }
                String store = text(item.get("persistentStoragePath")).orElse(storePath);
                AbsolutePath itemHome = home != null ? home
                        : text(item.get("home")).filter(h -> AbsolutePath.problemWith(h) == null).map(AbsolutePath::of).orElse(null);
                String path = relative(written.get(), user == null ? null : itemHome);
                String label = user == null ? path : "~" + user + "/" + path;
                SequencedMap<String, String> options = from == From.IMPERMANENCE
                        ? impermanence(kind, item, label, notes) : preservation(kind, item, label, user, notes);
                if (options == null) {
                    continue;
                }
                // The owners and groups named, so that the check below knows them (they are the NixOS machine's).
                java.util.regex.Matcher named = java.util.regex.Pattern.compile("(?:owner|group) = \"([^\"]*)\"")
                        .matcher(options.getOrDefault("parent", ""));
                while (named.find()) {
                    names.add(named.group(1));
                }
                java.util.stream.Stream.of("owner", "group").map(options::get).filter(Objects::nonNull).forEach(names::add);
                Store target = stores.computeIfAbsent(store, s -> new Store());
                Item entry = new Item(path, kind, options);
                if (user == null) {
                    target.items.add(entry);
                } else {
                    target.users.computeIfAbsent(user, u -> new ArrayList<>()).add(entry);
                    if (itemHome != null) {
                        target.homes.putIfAbsent(user, itemHome);
                    }
                }
            }
        }
    }

    private static SequencedMap<String, String> impermanence(Kind kind, Map<?, ?> item, String label, Notes notes) {
        SequencedMap<String, String> options = new LinkedHashMap<>();
        if (kind == Kind.DIRECTORY) {
            attributes(item, asMap(item.get("defaultPerms")), label, notes, options);
        } else {
            if ("symlink".equals(item.get("method"))) {
                options.put("method", "symlink");
            }
            Map<?, ?> parent = asMap(item.get("parentDirectory"));
            SequencedMap<String, String> parentOptions = new LinkedHashMap<>();
            attributes(parent, asMap(parent.get("defaultPerms")), label + " (its parent)", notes, parentOptions);
            if (!parentOptions.isEmpty()) {
                options.put("parent", inlineTable(parentOptions));
            }
        }
        return options;
    }

    private static SequencedMap<String, String> preservation(Kind kind, Map<?, ?> item, String label, String user,
            Notes notes) {
        String how = text(item.get("how")).orElse("bindmount");
        if (how.equals("_intermediate")) {
            notes.add(label + ": how = \"_intermediate\" (a directory preservation makes for its own entries): lethe makes "
                    + "parents itself; left out");
            return null;
        }
        SequencedMap<String, String> options = new LinkedHashMap<>();
        String owner = user == null ? "root" : user;
        String defaultMode = kind == Kind.DIRECTORY ? "0755" : "0644";
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("user", owner);
        defaults.put("mode", defaultMode);
        if (user == null) {
            defaults.put("group", "root");
        }
        attributes(item, defaults, label, notes, options);
        if (user != null) {
            options.remove("group");  // the user's own group is the default, and its name is not in the JSON item
            text(item.get("group")).filter(g -> !g.equals("users") && !g.equals(user)).ifPresent(g -> options.put("group", g));
        }
        if (how.equals("symlink")) {
            options.put("method", "symlink");
        }
        if (Boolean.TRUE.equals(item.get("inInitrd"))) {
            options.put("stage", "initrd");
        }
        if (Boolean.TRUE.equals(item.get("configureParent"))) {
            Map<?, ?> parent = asMap(item.get("parent"));
            SequencedMap<String, String> parentOptions = new LinkedHashMap<>();
            Map<String, String> parentDefaults = new LinkedHashMap<>(Map.of("user", owner, "mode", "0755"));
            if (user == null) {
                parentDefaults.put("group", "root");
            }
            attributes(parent, parentDefaults, label + " (its parent)", notes, parentOptions);
            if (user != null) {
                parentOptions.remove("group");
            }
            if (!parentOptions.isEmpty()) {
                options.put("parent", inlineTable(parentOptions));
            }
        }
        if (Boolean.TRUE.equals(item.get("createLinkTarget"))) {
            notes.add(label + ": createLinkTarget = true: lethe does not create an empty file in the store for a link; "
                    + "the link waits until a program creates its target");
        }
        mountOptions(label, item.get("mountOptions"), notes);
        return options;
    }

    /** owner, group and mode where they differ from {@code defaults} (keys user, group, mode). */
    private static void attributes(Map<?, ?> item, Map<?, ?> defaults, String label, Notes notes,
            SequencedMap<String, String> options) {
        text(item.get("user")).filter(u -> !u.equals(defaults.get("user"))).ifPresent(u -> options.put("owner", u));
        text(item.get("group")).filter(g -> !g.equals(defaults.get("group"))).ifPresent(g -> options.put("group", g));
        Optional<String> mode = text(item.get("mode"));
        Optional<String> defaultMode = text(defaults.get("mode")).flatMap(NixImport::octal);
        if (mode.isPresent() && !octal(mode.get()).equals(defaultMode)) {
            Optional<String> octal = octal(mode.get());
            if (octal.isPresent()) {
                options.put("mode", octal.get());
            } else {
                notes.add(label + ": mode \"" + mode.get() + "\" has no octal equivalent lethe can take; left undeclared");
            }
        }
    }

    /** "0700", "700" or a chmod-style "u=rwx,g=rx,o=" as four octal digits; empty for anything else. */
    static Optional<String> octal(String mode) {
        try {
            return Optional.of(Mode.parse(mode).toString());
        } catch (IllegalArgumentException notOctal) {
            // Symbolic, below.
        }
        if (!mode.matches("([ugoa]+=[rwx]*)(,[ugoa]+=[rwx]*)*")) {
            return Optional.empty();
        }
        int bits = 0;
        for (String clause : mode.split(",")) {
            String[] sides = clause.split("=", -1);
            int permission = (sides[1].contains("r") ? 4 : 0) | (sides[1].contains("w") ? 2 : 0) | (sides[1].contains("x") ? 1 : 0);
            for (char who : sides[0].toCharArray()) {
                for (int shift : switch (who) {
                    case 'u' -> new int[] {6};
                    case 'g' -> new int[] {3};
                    case 'o' -> new int[] {0};
                    default -> new int[] {6, 3, 0};
                }) {
                    bits = bits & ~(7 << shift) | permission << shift;
                }
            }
        }
        return Optional.of(new Mode(bits).toString());
    }

    private static void mountOptions(String label, Object value, Notes notes) {
        if (!(value instanceof List<?> list)) {
            return;
        }
        List<String> options = list.stream().map(o -> o instanceof Map<?, ?> m ? text(m.get("name")).orElse("?")
                        + text(m.get("value")).map(v -> "=" + v).orElse("") : String.valueOf(o))
                .filter(o -> !o.equals("bind") && !o.equals("X-fstrim.notrim")).toList();
        if (!options.isEmpty()) {
            notes.mountOptions(String.join(", ", options), label);
        }
    }

    /** A user's path as lethe writes it: relative to the home (an absolute path below the home loses its prefix). */
    private static String relative(String path, AbsolutePath home) {
        if (home != null && path.startsWith(home.value() + "/")) {
            return path.substring(home.value().length() + 1);
        }
        return path;
    }

    private static String render(From from, Map<String, Store> stores) {
        StringBuilder toml = new StringBuilder()
                .append("# Imported from ").append(from.project).append(" (").append(from.option).append(") by lethe import.\n")
                .append("# lethe check validates it; lethe apply migrates what is on the root into the store.\n");
        for (Map.Entry<String, Store> store : stores.entrySet()) {
            toml.append("\n[[store]]\npath = ").append(NewEntry.quote(store.getKey())).append('\n');
            array(toml, store.getValue().items);
            for (Map.Entry<String, List<Item>> user : store.getValue().users.entrySet()) {
                String name = user.getKey().matches("[A-Za-z0-9_-]+") ? user.getKey() : NewEntry.quote(user.getKey());
                toml.append("\n[store.users.").append(name).append("]\n");
                array(toml, user.getValue());
            }
        }
        return toml.toString();
    }

    private static void array(StringBuilder toml, List<Item> items) {
        for (Kind kind : Kind.values()) {
            List<Item> ofKind = items.stream().filter(i -> i.kind() == kind).toList();
            if (ofKind.isEmpty()) {
                continue;
            }
            toml.append(kind == Kind.DIRECTORY ? "directories" : "files").append(" = [\n");
            for (Item item : ofKind) {
                toml.append("  ").append(entry(item)).append(",\n");
            }
            toml.append("]\n");
        }
    }

    private static String entry(Item item) {
        if (item.options().isEmpty()) {
            return NewEntry.quote(item.path());
        }
        SequencedMap<String, String> table = new LinkedHashMap<>();
        table.put("path", NewEntry.quote(item.path()));
        item.options().forEach((k, v) -> table.put(k, k.equals("parent") ? v : NewEntry.quote(v)));
        return table.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue())
                .collect(Collectors.joining(", ", "{ ", " }"));
    }

    private static String inlineTable(SequencedMap<String, String> values) {
        return values.entrySet().stream().map(e -> e.getKey() + " = " + NewEntry.quote(e.getValue()))
                .collect(Collectors.joining(", ", "{ ", " }"));
    }

    /**
     * lethe check's errors on the result, with the users and groups the JSON names taken as known
     * (they are the NixOS machine's, not this one's): what is left is what lethe's rules refuse.
     */
    private static List<String> check(String toml, Map<String, Store> stores, Set<String> names) {
        List<Accounts.User> users = new ArrayList<>();
        List<Accounts.Group> groups = new ArrayList<>();
        Set<String> userNames = new LinkedHashSet<>();
        stores.values().forEach(s -> userNames.addAll(s.users.keySet()));
        int id = 1000;
        for (String user : userNames) {
            AbsolutePath home = stores.values().stream().map(s -> s.homes.get(user)).filter(Objects::nonNull).findFirst()
                    .orElse(AbsolutePath.of("/home").resolve(user));
            users.add(new Accounts.User(user, id, id, home));
            groups.add(new Accounts.Group(user, id++));
        }
        for (String name : names) {
            users.add(new Accounts.User(name, id, id, AbsolutePath.ROOT));
            groups.add(new Accounts.Group(name, id++));
        }
        users.add(new Accounts.User("root", 0, 0, AbsolutePath.of("/root")));
        groups.add(new Accounts.Group("root", 0));
        groups.add(new Accounts.Group("users", 100));
        try {
            ConfigLoader.parse(toml, "imported", Accounts.of(users, groups));
            return List.of();
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
    }

    /** What cannot be expressed; mount options gathered by option, as they repeat on every entry of a store. */
    private static final class Notes {
        private final List<String> notes = new ArrayList<>();
        private final Map<String, List<String>> mountOptions = new LinkedHashMap<>();

        void add(String note) {
            notes.add(note);
        }

        void mountOptions(String options, String where) {
            mountOptions.computeIfAbsent(options, o -> new ArrayList<>()).add(where);
        }

        List<String> list() {
            List<String> all = new ArrayList<>(notes);
            mountOptions.forEach((options, where) -> all.add("mount options " + options + " (on " + String.join(", ", where)
                    + "): lethe makes plain read-write bind mounts; left out"));
            return List.copyOf(all);
        }
    }

    private static Map<?, ?> asMap(Object value) {
        return value instanceof Map<?, ?> map ? map : Map.of();
    }

    private static Optional<String> text(Object value) {
        return value instanceof String s ? Optional.of(s) : Optional.empty();
    }

    private static String describe(Object value) {
        String text = String.valueOf(value);
        return text.length() > 80 ? text.substring(0, 80) + "..." : text;
    }
}
