package dev.lethe.config;

import dev.lethe.model.AbsolutePath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The user and group databases of the managed root (its etc/passwd and etc/group), read as text:
 * never through NSS, because the root being configured is not necessarily the running system's.
 */
public final class Accounts {

    private final Map<String, User> usersByName = new LinkedHashMap<>();
    private final Map<Integer, User> usersById = new HashMap<>();
    private final Map<String, Group> groupsByName = new LinkedHashMap<>();
    private final Map<Integer, Group> groupsById = new HashMap<>();

    private Accounts(List<User> users, List<Group> groups) {
        // The first line wins, as with getpwnam(3) and getpwuid(3).
        for (User user : users) {
            usersByName.putIfAbsent(user.name(), user);
            usersById.putIfAbsent(user.uid(), user);
        }
        for (Group group : groups) {
            groupsByName.putIfAbsent(group.name(), group);
            groupsById.putIfAbsent(group.gid(), group);
        }
    }

    /** Reads root/etc/passwd and root/etc/group; a missing file is an empty database. */
    public static Accounts load(Path root) throws IOException {
        return parse(readIfPresent(root.resolve("etc/passwd")), readIfPresent(root.resolve("etc/group")));
    }

    /** The databases in these bytes of etc/passwd and etc/group. */
    static Accounts parse(byte[] passwd, byte[] group) {
        // Decoding replaces bad bytes instead of failing: one odd line must not hide the rest.
        return new Accounts(parsePasswd(new String(passwd, StandardCharsets.UTF_8)),
                parseGroup(new String(group, StandardCharsets.UTF_8)));
    }

    public static Accounts of(List<User> users, List<Group> groups) {
        return new Accounts(List.copyOf(users), List.copyOf(groups));
    }

    /**
     * The user with that name, else with that numeric id; a number not in the database is accepted
     * as a raw id (for users a package creates later). A raw-id user's gid and home are unknown:
     * they are set to the uid and "/", and the config never uses them.
     */
    public Optional<User> user(String nameOrNumericId) {
        return knownUser(nameOrNumericId).or(() -> numericId(nameOrNumericId)
                .map(id -> new User(Integer.toString(id), id, id, AbsolutePath.ROOT)));
    }

    /** The group with that name, else with that numeric id, else a raw numeric id. */
    public Optional<Group> group(String nameOrNumericId) {
        Group byName = groupsByName.get(nameOrNumericId);
        if (byName != null) {
            return Optional.of(byName);
        }
        return numericId(nameOrNumericId)
                .map(id -> groupsById.getOrDefault(id, new Group(Integer.toString(id), id)));
    }

    /** A user that is in the database, by name or numeric id: raw ids have no home. */
    public Optional<User> knownUser(String nameOrNumericId) {
        User byName = usersByName.get(nameOrNumericId);
        if (byName != null) {
            return Optional.of(byName);
        }
        return numericId(nameOrNumericId).map(usersById::get);
    }

    Optional<Group> groupById(int gid) {
        return Optional.ofNullable(groupsById.get(gid));
    }

    Set<String> userNames() {
        return usersByName.keySet();
    }

    Set<String> groupNames() {
        return groupsByName.keySet();
    }

    /** Parses passwd(5) text: name:password:uid:gid:gecos:home:shell. */
    static List<User> parsePasswd(String text) {
        List<User> users = new ArrayList<>();
        for (String[] fields : records(text, 7)) {
            Optional<Integer> uid = numericId(fields[2]);
            Optional<Integer> gid = numericId(fields[3]);
            if (fields[0].isEmpty() || uid.isEmpty() || gid.isEmpty()) {
                continue;
            }
            // A missing or unusable home becomes "/", which the config refuses as a home by name.
            String home = fields[5];
            AbsolutePath homePath = AbsolutePath.problemWith(home) == null ? AbsolutePath.of(home) : AbsolutePath.ROOT;
            users.add(new User(fields[0], uid.get(), gid.get(), homePath));
        }
        return users;
    }

    /** Parses group(5) text: name:password:gid:members. */
    static List<Group> parseGroup(String text) {
        List<Group> groups = new ArrayList<>();
        for (String[] fields : records(text, 4)) {
            Optional<Integer> gid = numericId(fields[2]);
            if (fields[0].isEmpty() || gid.isEmpty()) {
                continue;
            }
            groups.add(new Group(fields[0], gid.get()));
        }
        return groups;
    }

    /** The lines with exactly {@code count} fields; comments, blanks and NIS "+"/"-" lines are skipped. */
    private static List<String[]> records(String text, int count) {
        List<String[]> result = new ArrayList<>();
        for (String line : text.split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("+") || line.startsWith("-")) {
                continue;
            }
            String[] fields = line.split(":", -1);
            if (fields.length == count) {
                result.add(fields);
            }
        }
        return result;
    }

    /** A decimal id that fits uid_t as Java sees it ("1000"), or empty. */
    private static Optional<Integer> numericId(String text) {
        if (!text.matches("[0-9]{1,10}")) {
            return Optional.empty();
        }
        long id = Long.parseLong(text);
        return id <= Integer.MAX_VALUE ? Optional.of((int) id) : Optional.empty();
    }

    /** The file's bytes; a missing file is an empty database. */
    static byte[] readIfPresent(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new byte[0];
        }
    }

    public record User(String name, int uid, int gid, AbsolutePath home) {
        public User {
            Objects.requireNonNull(name);
            Objects.requireNonNull(home);
            if (uid < 0 || gid < 0) {
                throw new IllegalArgumentException("negative id for user " + name);
            }
        }
    }

    public record Group(String name, int gid) {
        public Group {
            Objects.requireNonNull(name);
            if (gid < 0) {
                throw new IllegalArgumentException("negative id for group " + name);
            }
        }
    }
}
