package dev.lethe.model;

/** What an entry persists. */
public enum Kind {
    DIRECTORY,
    FILE;

    public String word() {
        return this == DIRECTORY ? "directory" : "file";
    }
}
