package dev.lethe.config;

/**
 * A scan of TOML text for how deeply arrays and inline tables nest, made before the parser sees
 * it: tomlj descends recursively and ends in a StackOverflowError on a thousand nested brackets.
 * No lethe config needs more than a few levels, so anything deeper is refused with its line.
 */
final class Nesting {

    /** Far beyond any real config (an entry table inside an array inside a store is 3), far below the parser's limit. */
    static final int LIMIT = 64;

    private Nesting() {}

    /** The 1-based line where nesting first exceeds {@link #LIMIT}, or 0 if it never does. */
    static int tooDeepAt(String text) {
        int depth = 0;
        int line = 1;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (c == '#') {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '"' || c == '\'') {
                // Skip a string, counting its lines; brackets inside it are text.
                boolean multiline = text.startsWith(String.valueOf(c).repeat(3), i);
                String close = multiline ? String.valueOf(c).repeat(3) : String.valueOf(c);
                i += close.length();
                while (i < n && !text.startsWith(close, i)) {
                    char s = text.charAt(i);
                    if (s == '\n') {
                        line++;
                        if (!multiline) {
                            break; // an unterminated string: the parser reports it
                        }
                    }
                    i += (s == '\\' && c == '"' && i + 1 < n && text.charAt(i + 1) != '\n') ? 2 : 1;
                }
                if (i < n && text.startsWith(close, i)) {
                    i += close.length();
                    // A multi-line string may end with up to two more quotes of its own.
                    while (multiline && i < n && text.charAt(i) == c) {
                        i++;
                    }
                }
            } else {
                if (c == '[' || c == '{') {
                    if (++depth > LIMIT) {
                        return line;
                    }
                } else if ((c == ']' || c == '}') && depth > 0) {
                    depth--;
                }
                i++;
            }
        }
        return 0;
    }
}
