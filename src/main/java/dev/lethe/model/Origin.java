package dev.lethe.model;

/** Where in the config something was written, for messages of the form "file:line: ...". */
public record Origin(String file, int line) {
    @Override
    public String toString() {
        return line > 0 ? file + ":" + line : file;
    }
}
