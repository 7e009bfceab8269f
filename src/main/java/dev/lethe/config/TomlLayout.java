package dev.lethe.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Where things are in a TOML text, character by character: code told apart from strings and
 * comments, table headers, matching brackets, the elements of an array. tomlj gives the values and
 * the line of each key, not where a value ends or where a comma is; an edit that keeps every other
 * byte of the user's file needs both.
 */
final class TomlLayout {

    private static final byte CODE = 0;
    private static final byte STRING = 1;
    private static final byte COMMENT = 2;

    /** A table header line: {@code [store.users.alice]} or {@code [[store]]}, its name split into keys. */
    record Header(int line, List<String> name, boolean arrayOfTables) {}

    /** One array element: [start, end) in the text, and the offset of the comma after it, or -1. */
    record Element(int start, int end, int comma) {
        boolean hasComma() {
            return comma >= 0;
        }
    }

    private final String text;
    private final byte[] classes;
    private final List<Integer> lineStarts = new ArrayList<>();
    private final List<Header> headers = new ArrayList<>();

    TomlLayout(String text) {
        this.text = text;
        this.classes = new byte[text.length()];
        scan();
    }

    List<Header> headers() {
        return List.copyOf(headers);
    }

    /** Lines counted from 1, as tomlj and every config error count them. */
    int lineCount() {
        return lineStarts.size();
    }

    int lineStart(int line) {
        return lineStarts.get(line - 1);
    }

    /** The offset of the line's newline, or the text's length for a last line without one. */
    int lineEnd(int line) {
        return line < lineStarts.size() ? lineStarts.get(line) - 1 : text.length();
    }

    int lineOf(int offset) {
        int line = 1;
        while (line < lineStarts.size() && lineStarts.get(line) <= offset) {
            line++;
        }
        return line;
    }

    /** tomlj's position (line and column from 1, in code points) as an offset. */
    int offset(int line, int column) {
        int start = lineStart(line);
        return text.offsetByCodePoints(start, Math.min(column - 1, text.codePointCount(start, lineEnd(line))));
    }

    /** Only blanks between the start of the offset's line and the offset. */
    boolean blankBefore(int offset) {
        return text.substring(lineStart(lineOf(offset)), offset).isBlank();
    }

    /** Only blanks, or a comment, between the offset and the end of its line. */
    boolean blankOrCommentAfter(int offset) {
        int end = lineEnd(lineOf(offset));
        for (int i = offset; i < end; i++) {
            if (classes[i] != COMMENT && !Character.isWhitespace(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** A line with something other than blanks and comments on it. */
    boolean hasContent(int line) {
        for (int i = lineStart(line); i < lineEnd(line); i++) {
            if (classes[i] != COMMENT && !Character.isWhitespace(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    boolean hasComment(int from, int to) {
        for (int i = from; i < to; i++) {
            if (classes[i] == COMMENT) {
                return true;
            }
        }
        return false;
    }

    /** The first character at or after {@code from} that is neither a blank nor in a comment, or -1. */
    int nextCode(int from) {
        for (int i = from; i < text.length(); i++) {
            if (classes[i] != COMMENT && !Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** The offset of the bracket or brace that closes the one at {@code open}. */
    int closing(int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            if (classes[i] != CODE) {
                continue;
            }
            char c = text.charAt(i);
            if (c == '[' || c == '{') {
                depth++;
            } else if ((c == ']' || c == '}') && --depth == 0) {
                return i;
            }
        }
        throw new IllegalStateException("no closing bracket for the one at offset " + open);
    }

    /** The elements of the array whose brackets are at {@code open} and {@code close}. */
    List<Element> elements(int open, int close) {
        List<Element> elements = new ArrayList<>();
        int i = open + 1;
        while (true) {
            int start = nextCode(i);
            while (start >= 0 && start < close && text.charAt(start) == ',') {
                start = nextCode(start + 1);
            }
            if (start < 0 || start >= close) {
                return elements;
            }
            int end = valueEnd(start);
            int after = nextCode(end);
            int comma = after >= 0 && after < close && text.charAt(after) == ',' ? after : -1;
            elements.add(new Element(start, end, comma));
            i = comma >= 0 ? comma + 1 : end;
        }
    }

    /** Where the value starting at {@code start} ends (exclusive). */
    private int valueEnd(int start) {
        char c = text.charAt(start);
        if (classes[start] == STRING) {
            int i = start;
            while (i < text.length() && classes[i] == STRING) {
                i++;
            }
            return i;
        }
        if (c == '{' || c == '[') {
            return closing(start) + 1;
        }
        int i = start;
        while (i < text.length() && classes[i] == CODE && ",]}#".indexOf(text.charAt(i)) < 0
                && !Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The offset of the value after {@code key =} for the key written at {@code keyOffset}. */
    int valueAfterKey(int keyOffset) {
        for (int i = keyOffset; i < text.length(); i++) {
            if (classes[i] == CODE && text.charAt(i) == '=') {
                return nextCode(i + 1);
            }
        }
        return -1;
    }

    private void scan() {
        int depth = 0;
        boolean lineStart = true;
        lineStarts.add(0);
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\n') {
                classes[i++] = CODE;
                lineStarts.add(i);
                lineStart = true;
            } else if (c == '#') {
                while (i < text.length() && text.charAt(i) != '\n') {
                    classes[i++] = COMMENT;
                }
            } else if (c == '"' || c == '\'') {
                i = string(i, c);
                lineStart = false;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                classes[i++] = CODE;
            } else if (c == '[' && lineStart && depth == 0) {
                i = header(i);
                lineStart = false;
            } else {
                if (c == '[' || c == '{') {
                    depth++;
                } else if (c == ']' || c == '}') {
                    depth = Math.max(0, depth - 1);
                }
                classes[i++] = CODE;
                lineStart = false;
            }
        }
    }

    /** Marks the string starting at {@code start}; returns the offset after it. */
    private int string(int start, char quote) {
        boolean basic = quote == '"';
        String triple = String.valueOf(quote).repeat(3);
        int end;
        if (text.startsWith(triple, start)) {
            int i = start + 3;
            while (i < text.length() && !text.startsWith(triple, i)) {
                if (basic && text.charAt(i) == '\\') {
                    i++;
                }
                if (i < text.length() && text.charAt(i) == '\n') {
                    lineStarts.add(i + 1);
                }
                i++;
            }
            end = Math.min(text.length(), i + 3);
            // Up to two more quotes belong to the content ("""a""""" ends with two quotes).
            for (int extra = 0; extra < 2 && end < text.length() && text.charAt(end) == quote; extra++) {
                end++;
            }
        } else {
            int i = start + 1;
            while (i < text.length() && text.charAt(i) != quote && text.charAt(i) != '\n') {
                if (basic && text.charAt(i) == '\\') {
                    i++;
                }
                i++;
            }
            end = Math.min(text.length(), i < text.length() && text.charAt(i) == quote ? i + 1 : i);
        }
        for (int i = start; i < end; i++) {
            classes[i] = text.charAt(i) == '\n' ? CODE : STRING;
        }
        return end;
    }

    /** Reads the header starting at {@code start}; returns the offset after its closing bracket(s). */
    private int header(int start) {
        boolean array = text.startsWith("[[", start);
        int i = start + (array ? 2 : 1);
        List<String> name = new ArrayList<>();
        StringBuilder key = new StringBuilder();
        while (i < text.length() && text.charAt(i) != ']' && text.charAt(i) != '\n') {
            char c = text.charAt(i);
            if (c == '"' || c == '\'') {
                int end = string(i, c);
                key.append(text, i + 1, Math.max(i + 1, end - 1));
                i = end;
                continue;
            }
            classes[i] = CODE;
            if (c == '.') {
                name.add(key.toString().strip());
                key.setLength(0);
            } else {
                key.append(c);
            }
            i++;
        }
        name.add(key.toString().strip());
        int end = Math.min(text.length(), i + (array ? 2 : 1));
        for (int j = i; j < end; j++) {
            classes[j] = CODE;
        }
        headers.add(new Header(lineOf(start), List.copyOf(name), array));
        return end;
    }
}
