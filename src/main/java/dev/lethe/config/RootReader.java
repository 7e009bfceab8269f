package dev.lethe.config;

import dev.lethe.config.RootConfig.Retention;
import dev.lethe.config.RootConfig.Strategy;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Origin;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import org.tomlj.TomlTable;

/**
 * Reads [root] and [root.archive] into a {@link RootConfig}, checking the keys each strategy needs and
 * every rule on their values that needs no machine ({@link RootRules}), each with its file and line.
 */
final class RootReader {

    private static final List<String> ROOT_KEYS =
            List.of("strategy", "device", "subvolume", "blank", "dataset", "upper", "archive");
    private static final Map<Strategy, List<String>> KEYS_OF = new EnumMap<>(Map.of(
            Strategy.BTRFS, List.of("strategy", "device", "subvolume", "blank", "archive"),
            Strategy.ZFS, List.of("strategy", "dataset", "blank", "archive"),
            Strategy.OVERLAY, List.of("strategy", "upper", "device", "archive"),
            // A tmpfs root is gone at power-off and "none" wipes nothing: neither leaves a root to archive.
            Strategy.TMPFS, List.of("strategy"),
            Strategy.NONE, List.of("strategy")));
    private static final List<String> STRATEGY_WORDS =
            Arrays.stream(Strategy.values()).map(Strategy::word).toList();
    private static final List<String> ARCHIVE_KEYS = List.of("keep");
    private static final List<String> KEEP_KEYS = List.of("last", "within", "hourly", "daily", "weekly", "monthly");
    private static final String DEFAULT_ZFS_BLANK = "blank";

    private final Source source;

    RootReader(Source source) {
        this.source = source;
    }

    RootConfig read(TomlTable document) {
        Object value = Source.get(document, "root");
        if (value == null) {
            return RootConfig.none(source.file());
        }
        int line = Source.lineOf(document, "root");
        if (!(value instanceof TomlTable root)) {
            source.error(line, null, "root must be a table: write [root] on its own line with strategy = \"...\" below it; found "
                    + Source.typeName(value));
            return RootConfig.none(source.file());
        }
        Optional<Strategy> strategy = strategy(root, line);
        checkKeys(root, strategy);

        Optional<String> device = name(root, "device");
        Optional<String> subvolume = name(root, "subvolume");
        Optional<String> blank = name(root, "blank");
        Optional<String> dataset = name(root, "dataset");
        Optional<AbsolutePath> upper = upper(root);
        Retention retention = retention(root);

        if (strategy.isEmpty()) {
            return RootConfig.none(source.file());
        }
        Origin origin = source.origin(line);
        switch (strategy.get()) {
            case BTRFS -> {
                require(root, line, "btrfs", "device", "the btrfs filesystem holding the root subvolume", "\"/dev/disk/by-label/system\"");
                require(root, line, "btrfs", "subvolume", "the subvolume mounted as /", "\"@root\"");
                require(root, line, "btrfs", "blank", "an empty read-only subvolume the root is recreated from", "\"@root-blank\"");
                Optional<String> rootSubvolume = subvolume(root, "subvolume", subvolume);
                Optional<String> blankSubvolume = subvolume(root, "blank", blank);
                if (device.isEmpty() || rootSubvolume.isEmpty() || blankSubvolume.isEmpty()) {
                    return RootConfig.none(source.file());
                }
                Optional<String> pair = RootRules.subvolumePairProblem(rootSubvolume.get(), blankSubvolume.get());
                if (pair.isPresent()) {
                    source.error(Source.lineOf(root, "blank"), null, pair.get());
                    return RootConfig.none(source.file());
                }
                return new RootConfig.Btrfs(device.get(), rootSubvolume.get(), blankSubvolume.get(), retention, origin);
            }
            case ZFS -> {
                require(root, line, "zfs", "dataset", "the dataset mounted as /", "\"rpool/root\"");
                Optional<String> rootDataset = checked(root, "dataset", dataset, RootRules::datasetProblem);
                Optional<String> snapshot = blank.isEmpty() ? Optional.of(DEFAULT_ZFS_BLANK)
                        : checked(root, "blank", blank, RootRules::snapshotProblem);
                if (rootDataset.isEmpty() || snapshot.isEmpty()) {
                    return RootConfig.none(source.file());
                }
                return new RootConfig.Zfs(rootDataset.get(), snapshot.get(), retention, origin);
            }
            case OVERLAY -> {
                require(root, line, "overlay", "upper",
                        "a directory on a persistent filesystem where the overlay's upper directories live", "\"/overlay\"");
                if (upper.isEmpty()) {
                    return RootConfig.none(source.file());
                }
                return new RootConfig.Overlay(upper.get(), device, retention, origin);
            }
            case TMPFS -> {
                return new RootConfig.Tmpfs(origin);
            }
            case NONE -> {
                return new RootConfig.None(origin);
            }
        }
        throw new AssertionError(strategy.get());
    }

    /** A btrfs subvolume's path from the top level, its leading slashes dropped once, here. */
    private Optional<String> subvolume(TomlTable root, String key, Optional<String> written) {
        return checked(root, key, written.map(RootRules::normalSubvolume), RootRules::subvolumeProblem);
    }

    /** {@code value} if {@code rule} finds nothing wrong with it; else the problem, reported at the key's line. */
    private Optional<String> checked(TomlTable root, String key, Optional<String> value,
            Function<String, Optional<String>> rule) {
        if (value.isEmpty()) {
            return value;
        }
        Optional<String> problem = rule.apply(value.get());
        if (problem.isPresent()) {
            source.error(Source.lineOf(root, key), null, key + ": " + problem.get());
            return Optional.empty();
        }
        return value;
    }

    private Optional<Strategy> strategy(TomlTable root, int rootLine) {
        Object value = Source.get(root, "strategy");
        if (value == null) {
            source.error(rootLine, null, "[root] has no strategy; add strategy = \"btrfs\" (or "
                    + String.join(", ", STRATEGY_WORDS) + ")");
            return Optional.empty();
        }
        int line = Source.lineOf(root, "strategy");
        if (!(value instanceof String word)) {
            source.error(line, null, "strategy must be a string, one of " + String.join(", ", STRATEGY_WORDS)
                    + "; found " + Source.typeName(value));
            return Optional.empty();
        }
        for (Strategy s : Strategy.values()) {
            if (s.word().equals(word)) {
                return Optional.of(s);
            }
        }
        source.error(line, null, Keys.unknown("strategy \"" + word + "\"", word.toLowerCase(Locale.ROOT), STRATEGY_WORDS, "[root]"));
        return Optional.empty();
    }

    private void checkKeys(TomlTable root, Optional<Strategy> strategy) {
        for (String key : root.keySet()) {
            int line = Source.lineOf(root, key);
            if (!ROOT_KEYS.contains(key)) {
                source.error(line, null, Keys.unknown("key '" + key + "'", key, ROOT_KEYS, "[root]"));
            } else if (strategy.isPresent() && !KEYS_OF.get(strategy.get()).contains(key)) {
                List<String> own = KEYS_OF.get(strategy.get()).stream().filter(k -> !k.equals("strategy")).toList();
                source.error(line, null, "'" + key + "' does not apply to strategy \"" + strategy.get().word()
                        + "\"; remove it (" + strategy.get().word() + " takes "
                        + (own.isEmpty() ? "no other keys" : String.join(", ", own)) + ")");
            }
        }
    }

    private void require(TomlTable root, int rootLine, String strategy, String key, String meaning, String example) {
        if (Source.get(root, key) == null) {
            source.error(rootLine, null, "strategy \"" + strategy + "\" needs " + key + ", " + meaning
                    + "; add " + key + " = " + example);
        }
    }

    /** A device, subvolume, snapshot or dataset name: a non-empty string. */
    private Optional<String> name(TomlTable root, String key) {
        Object value = Source.get(root, key);
        if (value == null) {
            return Optional.empty();
        }
        int line = Source.lineOf(root, key);
        if (!(value instanceof String text)) {
            source.error(line, null, key + " must be a string; found " + Source.typeName(value));
            return Optional.empty();
        }
        if (text.isBlank() || text.indexOf('\0') >= 0) {
            source.error(line, null, key + " must be a name, not " + (text.isBlank() ? "empty" : "contain a NUL byte"));
            return Optional.empty();
        }
        return Optional.of(text);
    }

    private Optional<AbsolutePath> upper(TomlTable root) {
        Object value = Source.get(root, "upper");
        if (value == null) {
            return Optional.empty();
        }
        int line = Source.lineOf(root, "upper");
        if (!(value instanceof String text)) {
            source.error(line, null, "upper must be a string, an absolute directory path; found " + Source.typeName(value));
            return Optional.empty();
        }
        String problem = AbsolutePath.problemWith(text);
        if (problem != null) {
            source.error(line, text, "upper: " + problem);
            return Optional.empty();
        }
        Optional<String> rule = RootRules.upperProblem(text);
        if (rule.isPresent()) {
            source.error(line, text, rule.get());
            return Optional.empty();
        }
        return Optional.of(AbsolutePath.of(text));
    }

    private Retention retention(TomlTable root) {
        Object archiveValue = Source.get(root, "archive");
        if (archiveValue == null) {
            return Retention.UNDECLARED;
        }
        if (!(archiveValue instanceof TomlTable archive)) {
            source.error(Source.lineOf(root, "archive"), null,
                    "archive must be a table: write [root.archive] with keep = { ... } below it; found " + Source.typeName(archiveValue));
            return Retention.UNDECLARED;
        }
        Keys.requireKnown(source, archive, ARCHIVE_KEYS, "[root.archive]", null);
        Object keepValue = Source.get(archive, "keep");
        if (keepValue == null) {
            return Retention.UNDECLARED;
        }
        if (!(keepValue instanceof TomlTable keep)) {
            source.error(Source.lineOf(archive, "keep"), null,
                    "keep must be a table like { last = 3, daily = 7 }; found " + Source.typeName(keepValue));
            return Retention.UNDECLARED;
        }
        Keys.requireKnown(source, keep, KEEP_KEYS, "root.archive.keep", null);
        return new Retention(count(keep, "last"), within(keep), count(keep, "hourly"),
                count(keep, "daily"), count(keep, "weekly"), count(keep, "monthly"));
    }

    private OptionalInt count(TomlTable keep, String key) {
        Object value = Source.get(keep, key);
        if (value == null) {
            return OptionalInt.empty();
        }
        int line = Source.lineOf(keep, key);
        if (!(value instanceof Long n)) {
            source.error(line, null, "keep." + key + " must be a whole number like 7; found " + Source.typeName(value));
            return OptionalInt.empty();
        }
        if (n < 0 || n > Integer.MAX_VALUE) {
            source.error(line, null, "keep." + key + " must be 0 or more (and fit in 32 bits); got " + n);
            return OptionalInt.empty();
        }
        return OptionalInt.of(n.intValue());
    }

    private Optional<Duration> within(TomlTable keep) {
        Object value = Source.get(keep, "within");
        if (value == null) {
            return Optional.empty();
        }
        int line = Source.lineOf(keep, "within");
        if (!(value instanceof String text)) {
            source.error(line, null, "keep.within must be a string like \"2d\"; found " + Source.typeName(value));
            return Optional.empty();
        }
        try {
            return Optional.of(Durations.parse(text));
        } catch (IllegalArgumentException e) {
            source.error(line, null, "keep.within " + e.getMessage());
            return Optional.empty();
        }
    }
}
