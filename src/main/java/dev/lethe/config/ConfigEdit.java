package dev.lethe.config;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Entry;
import dev.lethe.model.Kind;
import dev.lethe.model.Origin;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Adds entries to a config's text and removes them, keeping every other byte: the user's comments,
 * spacing and order stay. An addition goes at the end of the right array (the store's, or the
 * user's table in that store), creating the key or the user's table when there is none; a removal
 * takes out the element, and the key or user table it leaves empty, so that adding then removing an
 * entry gives back the same text. The result is validated by {@link ConfigLoader}, and compared
 * with the intended meaning: exactly the entries asked for were added or removed.
 */
public final class ConfigEdit {

    private ConfigEdit() {}

    /**
     * The edited text and the config it now holds.
     *
     * @param changed the entries added or removed, as the edited (added) or original (removed) config has them
     */
    public record Result(String text, Config config, List<Entry> changed) {}

    /** The text with these entries added; a ConfigException with check's errors if it would be invalid. */
    public static Result add(String text, String file, Accounts accounts, List<NewEntry> wanted) throws ConfigException {
        Config before = ConfigLoader.parse(text, file, accounts);
        String edited = text;
        for (NewEntry entry : wanted) {
            edited = addOne(edited, file, before, entry);
        }
        Config after = ConfigLoader.parse(edited, file, accounts);
        List<Entry> added = difference(after.entries(), before.entries());
        List<String> meant = wanted.stream().map(w -> w.kind().word() + " " + w.path()).sorted().toList();
        boolean asMeant = added.size() == wanted.size() && difference(before.entries(), after.entries()).isEmpty()
                && added.stream().allMatch(a -> wanted.stream().anyMatch(w -> w.kind() == a.kind()
                        && w.store().map(a.store()::equals).orElse(true) && w.user().isPresent() == a.home().isPresent()));
        if (!asMeant) {
            throw new IllegalStateException("editing " + file + " to add " + meant + " gave other entries: " + added
                    + "; nothing was written");
        }
        return new Result(edited, after, added);
    }

    /** The text without the entries that persist these targets. */
    public static Result remove(String text, String file, Accounts accounts, List<AbsolutePath> targets)
            throws ConfigException {
        Config before = ConfigLoader.parse(text, file, accounts);
        String edited = text;
        for (AbsolutePath target : targets) {
            edited = removeOne(edited, file, accounts, before, target);
        }
        Config after = ConfigLoader.parse(edited, file, accounts);
        List<Entry> removed = difference(before.entries(), after.entries());
        if (removed.size() != targets.size() || !difference(after.entries(), before.entries()).isEmpty()
                || !removed.stream().map(Entry::target).toList().containsAll(targets)) {
            throw new IllegalStateException("editing " + file + " to remove " + targets + " removed " + removed
                    + "; nothing was written");
        }
        return new Result(edited, after, removed);
    }

    // ---- adding ---------------------------------------------------------------------------------

    private static String addOne(String text, String file, Config config, NewEntry entry) throws ConfigException {
        AbsolutePath storePath = storeFor(file, config, entry);
        TomlLayout layout = new TomlLayout(text);
        Source source = new Source(file, text);
        TomlTable document = Toml.parse(text);
        TomlArray stores = (TomlArray) Source.get(document, "store");
        int index = storeIndex(stores, storePath);
        int storeLine = source.lineOf(stores, index, 0);
        TomlLayout.Header storeHeader = header(layout, storeLine)
                .filter(h -> h.arrayOfTables() && h.name().equals(List.of("store")))
                .orElseThrow(() -> refusal(file, storeLine, storePath.value(), "this store is not written as a [[store]] "
                        + "table, which is the only layout lethe edits; add the entry by hand"));
        String key = entry.kind() == Kind.DIRECTORY ? "directories" : "files";
        TomlTable store = stores.getTable(index);
        if (entry.user().isEmpty()) {
            return addTo(text, layout, store, key, entry, Optional.of(storeHeader), file, storeLine);
        }
        String user = entry.user().get();
        List<String> userHeaderName = List.of("store", "users", user);
        Optional<TomlLayout.Header> userHeader = blockOf(layout, storeHeader).stream()
                .filter(h -> !h.arrayOfTables() && h.name().equals(userHeaderName)).findFirst();
        Object users = Source.get(store, "users");
        Object userTable = users instanceof TomlTable byName ? Source.get(byName, user) : null;
        if (userTable instanceof TomlTable table) {
            return addTo(text, layout, table, key, entry, userHeader, file, storeLine);
        }
        // No table for this user yet: one at the end of the store's block.
        String table = "\n[store.users." + bareOrQuoted(user) + "]\n" + key + " = [" + entry.toml() + "]\n";
        return insertAfterLine(text, layout, lastContentLine(layout, storeHeader.line(), blockEnd(layout, storeHeader)), table);
    }

    /**
     * Adds to the array {@code key} of {@code table}, or a new key after the table's last line when
     * it has none ({@code header} empty: the table is written inline, and a key cannot be added there).
     */
    private static String addTo(String text, TomlLayout layout, TomlTable table, String key, NewEntry entry,
            Optional<TomlLayout.Header> header, String file, int line) throws ConfigException {
        Object value = Source.get(table, key);
        if (value == null) {
            if (header.isEmpty()) {
                throw refusal(file, line, entry.path(), "the user's table is written inline; add the entry by hand");
            }
            int last = lastContentLine(layout, header.get().line(), sectionEnd(layout, header.get()));
            return insertAfterLine(text, layout, last, key + " = [" + entry.toml() + "]\n");
        }
        int open = arrayOpening(layout, table, key, file);
        int close = layout.closing(open);
        List<TomlLayout.Element> elements = layout.elements(open, close);
        String element = entry.toml();
        boolean closingOnItsOwnLine = layout.blankBefore(close) && layout.lineOf(close) != layout.lineOf(open);
        if (elements.isEmpty()) {
            if (closingOnItsOwnLine) {
                String indent = indentOf(text, layout, close) + "  ";
                return insert(text, layout.lineStart(layout.lineOf(close)), indent + element + "\n");
            }
            return insert(text, open + 1, element);
        }
        TomlLayout.Element last = elements.getLast();
        if (!closingOnItsOwnLine) {
            return last.hasComma() ? insert(text, last.comma() + 1, " " + element + ",") : insert(text, last.end(), ", " + element);
        }
        String indent = layout.blankBefore(last.start()) ? indentOf(text, layout, last.start()) : "  ";
        int lastLine = layout.lineOf(last.hasComma() ? last.comma() : last.end());
        int nextLine = layout.lineEnd(lastLine) + 1;
        if (last.hasComma()) {
            return insert(text, nextLine, indent + element + ",\n");
        }
        // The new line first (it lies after the comma's place), then the comma the old last element needs.
        String withLine = insert(text, nextLine, indent + element + "\n");
        return insert(withLine, last.end(), ",");
    }

    private static AbsolutePath storeFor(String file, Config config, NewEntry entry) throws ConfigException {
        List<AbsolutePath> paths = config.stores().stream().map(StoreConfig::path).toList();
        String listed = config.stores().stream().map(s -> s.path() + " (line " + s.origin().line() + ")")
                .collect(Collectors.joining(", "));
        if (paths.isEmpty()) {
            throw refusal(file, 0, entry.path(), "the config has no [[store]]; add one with its path first "
                    + "(lethe init writes a starter config)");
        }
        if (entry.store().isEmpty()) {
            if (paths.size() > 1) {
                throw refusal(file, 0, entry.path(), "the config has several stores, " + listed + "; choose one with --store");
            }
            return paths.getFirst();
        }
        if (!paths.contains(entry.store().get())) {
            throw refusal(file, 0, entry.store().get().value(), "no [[store]] has this path; the stores are " + listed);
        }
        return entry.store().get();
    }

    private static int storeIndex(TomlArray stores, AbsolutePath path) {
        for (int i = 0; i < stores.size(); i++) {
            if (stores.get(i) instanceof TomlTable table && Source.get(table, "path") instanceof String written
                    && AbsolutePath.problemWith(written) == null && AbsolutePath.of(written).equals(path)) {
                return i;
            }
        }
        throw new IllegalStateException("the validated config has a store " + path + " that its text does not hold");
    }

    // ---- removing -------------------------------------------------------------------------------

    /** Where one entry is written: the array that holds it and the element's index there. */
    private record Place(TomlTable table, String key, int index, Optional<String> user, TomlLayout.Header storeHeader) {}

    private static String removeOne(String text, String file, Accounts accounts, Config config, AbsolutePath target)
            throws ConfigException {
        Optional<Entry> entry = config.entries().stream().filter(e -> e.target().equals(target)).findFirst();
        if (entry.isEmpty()) {
            Optional<Entry> outer = config.entries().stream().filter(e -> target.startsWith(e.target())).findFirst();
            throw refusal(file, 0, target.value(), outer.map(o -> "is not an entry of its own but inside " + o.target()
                    + ", declared at " + o.origin() + "; forget that one, or keep it").orElse("no entry persists this path; "
                    + "nothing to forget (lethe check lists the entries)"));
        }
        TomlLayout layout = new TomlLayout(text);
        Source source = new Source(file, text);
        TomlTable document = Toml.parse(text);
        Place place = find(layout, source, document, accounts, entry.get())
                .orElseThrow(() -> refusal(file, entry.get().origin().line(), target.value(),
                        "this entry is written in a layout lethe does not edit; remove it by hand"));
        int open = arrayOpening(layout, place.table(), place.key(), file);
        int close = layout.closing(open);
        List<TomlLayout.Element> elements = layout.elements(open, close);
        TomlArray array = (TomlArray) Source.get(place.table(), place.key());
        if (elements.size() != array.size()) {
            throw refusal(file, entry.get().origin().line(), target.value(), "lethe could not place this array's "
                    + "elements in the text; remove the entry by hand");
        }
        String edited = removeElement(text, layout, elements, place.index());
        if (elements.size() == 1) {
            edited = removeEmptyKey(edited, place, file);
        }
        return edited;
    }

    private static Optional<Place> find(TomlLayout layout, Source source, TomlTable document, Accounts accounts, Entry entry) {
        TomlArray stores = (TomlArray) Source.get(document, "store");
        String key = entry.kind() == Kind.DIRECTORY ? "directories" : "files";
        for (int i = 0; i < stores.size(); i++) {
            TomlTable store = stores.getTable(i);
            Optional<TomlLayout.Header> header = header(layout, source.lineOf(stores, i, 0))
                    .filter(h -> h.arrayOfTables() && h.name().equals(List.of("store")));
            if (header.isEmpty()) {
                continue;
            }
            if (indexIn(store, key, AbsolutePath.ROOT, entry.target()) >= 0 && entry.home().isEmpty()) {
                return Optional.of(new Place(store, key, indexIn(store, key, AbsolutePath.ROOT, entry.target()),
                        Optional.empty(), header.get()));
            }
            if (entry.home().isPresent() && Source.get(store, "users") instanceof TomlTable users) {
                for (String name : users.keySet()) {
                    Optional<AbsolutePath> home = accounts.knownUser(name).map(Accounts.User::home);
                    if (home.isPresent() && Source.get(users, name) instanceof TomlTable table) {
                        int index = indexIn(table, key, home.get(), entry.target());
                        if (index >= 0) {
                            return Optional.of(new Place(table, key, index, Optional.of(name), header.get()));
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The index of the element of {@code table.key} that names {@code target}, or -1. */
    private static int indexIn(TomlTable table, String key, AbsolutePath base, AbsolutePath target) {
        if (!(Source.get(table, key) instanceof TomlArray array)) {
            return -1;
        }
        for (int i = 0; i < array.size(); i++) {
            Object path = array.get(i) instanceof TomlTable t ? Source.get(t, "path") : array.get(i);
            if (path instanceof String written) {
                String absolute = base.isRoot() ? written : base.value() + "/" + written;
                if (AbsolutePath.problemWith(absolute) == null && AbsolutePath.of(absolute).equals(target)) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** Takes out one element so that {@link #addTo} adding it back gives the same text. */
    private static String removeElement(String text, TomlLayout layout, List<TomlLayout.Element> elements, int index) {
        TomlLayout.Element element = elements.get(index);
        TomlLayout.Element previous = index > 0 ? elements.get(index - 1) : null;
        TomlLayout.Element next = index + 1 < elements.size() ? elements.get(index + 1) : null;
        int end = element.hasComma() ? element.comma() + 1 : element.end();
        boolean aloneOnItsLine = layout.blankBefore(element.start()) && layout.blankOrCommentAfter(end)
                && (next == null || layout.lineOf(next.start()) != layout.lineOf(element.start()));
        if (aloneOnItsLine) {
            int line = layout.lineOf(element.start());
            String withoutLine = removeLines(text, layout, line, line);
            // The last element written without a comma: the one before it gave up its comma for it.
            if (next == null && !element.hasComma() && previous != null && previous.hasComma()) {
                return withoutLine.substring(0, previous.comma()) + withoutLine.substring(previous.comma() + 1);
            }
            return withoutLine;
        }
        if (next != null && layout.lineOf(next.start()) == layout.lineOf(element.start())) {
            return text.substring(0, element.start()) + text.substring(next.start());
        }
        if (previous != null) {
            return text.substring(0, previous.end()) + text.substring(element.end());
        }
        return text.substring(0, element.start()) + text.substring(end);
    }

    /**
     * An array left empty goes with its key when nothing else is on its lines (no comment inside),
     * and a user's table left empty with its header, as {@link #addOne} would have made them.
     */
    private static String removeEmptyKey(String text, Place place, String file) {
        TomlLayout layout = new TomlLayout(text);
        TomlTable document = Toml.parse(text);
        TomlArray stores = (TomlArray) Source.get(document, "store");
        Source source = new Source(file, text);
        for (int i = 0; i < stores.size(); i++) {
            int line = source.lineOf(stores, i, 0);
            if (line != place.storeHeader().line()) {
                continue;
            }
            TomlTable table = stores.getTable(i);
            if (place.user().isPresent()) {
                table = ((TomlTable) Source.get(table, "users")).getTable(List.of(place.user().get()));
            }
            TomlPosition position = table.inputPositionOf(List.of(place.key()));
            int keyStart = layout.offset(position.line(), position.column());
            int open = layout.valueAfterKey(keyStart);
            int close = layout.closing(open);
            if (!layout.blankBefore(keyStart) || !layout.blankOrCommentAfter(close + 1)
                    || layout.hasComment(keyStart, layout.lineEnd(layout.lineOf(close)))) {
                return text;
            }
            String withoutKey = removeLines(text, layout, layout.lineOf(keyStart), layout.lineOf(close));
            boolean userTableEmpty = place.user().isPresent() && place.table().keySet().equals(java.util.Set.of(place.key()));
            return userTableEmpty ? removeEmptyUserTable(withoutKey, place) : withoutKey;
        }
        return text;
    }

    /**
     * The user's header goes once its table holds no key; comments below it stay (they may be about
     * what follows), and one blank line before it goes too, as {@link #addOne} wrote one.
     */
    private static String removeEmptyUserTable(String text, Place place) {
        TomlLayout layout = new TomlLayout(text);
        List<String> name = List.of("store", "users", place.user().get());
        TomlLayout.Header store = header(layout, place.storeHeader().line()).orElseThrow();
        for (TomlLayout.Header header : blockOf(layout, store)) {
            if (header.arrayOfTables() || !header.name().equals(name)) {
                continue;
            }
            int line = header.line();
            boolean blankBefore = line > 1 && text.substring(layout.lineStart(line - 1), layout.lineEnd(line - 1)).isBlank();
            return removeLines(text, layout, blankBefore ? line - 1 : line, line);
        }
        return text;
    }

    // ---- text positions -------------------------------------------------------------------------

    /** The offset of the '[' of {@code table.key}'s array. */
    private static int arrayOpening(TomlLayout layout, TomlTable table, String key, String file) throws ConfigException {
        TomlPosition position = table.inputPositionOf(List.of(key));
        int open = position == null ? -1 : layout.valueAfterKey(layout.offset(position.line(), position.column()));
        if (open < 0 || layout.closing(open) < 0) {
            throw refusal(file, position == null ? 0 : position.line(), null, key + " is not written as an array "
                    + "lethe can edit; edit it by hand");
        }
        return open;
    }

    private static Optional<TomlLayout.Header> header(TomlLayout layout, int line) {
        return layout.headers().stream().filter(h -> h.line() == line).findFirst();
    }

    /** The offset where the table under {@code header} ends: the start of the next header's line, or the text's end. */
    private static int sectionEnd(TomlLayout layout, TomlLayout.Header header) {
        return layout.headers().stream().filter(h -> h.line() > header.line()).findFirst()
                .map(h -> layout.lineStart(h.line())).orElse(layout.lineEnd(layout.lineCount()));
    }

    /** The headers of a [[store]]'s own subtables ([store.users.alice], ...), after its header. */
    private static List<TomlLayout.Header> blockOf(TomlLayout layout, TomlLayout.Header store) {
        List<TomlLayout.Header> block = new ArrayList<>();
        for (TomlLayout.Header header : layout.headers()) {
            if (header.line() <= store.line()) {
                continue;
            }
            if (header.arrayOfTables() && header.name().equals(List.of("store"))
                    || header.name().isEmpty() || !header.name().getFirst().equals("store")) {
                break;
            }
            block.add(header);
        }
        return block;
    }

    /** Where a [[store]]'s block (its table and subtables) ends. */
    private static int blockEnd(TomlLayout layout, TomlLayout.Header store) {
        List<TomlLayout.Header> block = blockOf(layout, store);
        return sectionEnd(layout, block.isEmpty() ? store : block.getLast());
    }

    /** The last line before {@code end} (an offset) with something other than blanks and comments, not before {@code from}. */
    private static int lastContentLine(TomlLayout layout, int from, int end) {
        // end - 1 is the newline of the line before the next header, or the text's last character.
        int line = layout.lineOf(Math.max(0, end - 1));
        while (line > from && !layout.hasContent(line)) {
            line--;
        }
        return line;
    }

    /** Inserts {@code lines} (each ending in a newline) after {@code line}. */
    private static String insertAfterLine(String text, TomlLayout layout, int line, String lines) {
        int end = layout.lineEnd(line);
        if (end == text.length()) {
            // The file's last line has no newline: the new lines follow one, and end without.
            return text + "\n" + lines.substring(0, lines.length() - 1);
        }
        return insert(text, end + 1, lines);
    }

    /** Removes lines {@code first..last} with their newlines (a last line without one takes the newline before it). */
    private static String removeLines(String text, TomlLayout layout, int first, int last) {
        int start = layout.lineStart(first);
        int end = layout.lineEnd(last);
        if (end < text.length()) {
            return text.substring(0, start) + text.substring(end + 1);
        }
        return text.substring(0, Math.max(0, start - 1)) + text.substring(end);
    }

    private static String insert(String text, int offset, String what) {
        return text.substring(0, offset) + what + text.substring(offset);
    }

    private static String indentOf(String text, TomlLayout layout, int offset) {
        int start = layout.lineStart(layout.lineOf(offset));
        int i = start;
        while (i < offset && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        return text.substring(start, i);
    }

    private static String bareOrQuoted(String key) {
        return key.matches("[A-Za-z0-9_-]+") ? key : NewEntry.quote(key);
    }

    /** Entries of {@code from} that {@code minus} does not have, compared by meaning (not by line). */
    private static List<Entry> difference(List<Entry> from, List<Entry> minus) {
        Map<Entry, Integer> counts = new HashMap<>();
        minus.forEach(e -> counts.merge(meaning(e), 1, Integer::sum));
        List<Entry> left = new ArrayList<>();
        for (Entry entry : from) {
            Integer count = counts.get(meaning(entry));
            if (count == null || count == 0) {
                left.add(entry);
            } else {
                counts.put(meaning(entry), count - 1);
            }
        }
        return left;
    }

    private static final Origin NOWHERE = new Origin("", 0);

    private static Entry meaning(Entry e) {
        return new Entry(e.target(), e.store(), e.kind(), e.method(), e.stage(), e.attributes(), e.parents(), e.home(), NOWHERE);
    }

    private static ConfigException refusal(String file, int line, String path, String message) {
        return new ConfigException(List.of(new ConfigError(new Origin(file, line), path, message)));
    }
}
