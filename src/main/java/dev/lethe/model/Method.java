package dev.lethe.model;

/** How a persisted path is put back in place. */
public enum Method {
    /** A read-write bind mount of the store path onto the target (the default). */
    BIND,
    /** A symbolic link at the target pointing into the store. */
    SYMLINK;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
