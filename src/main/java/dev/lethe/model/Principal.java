package dev.lethe.model;

/** A user or group as the config named it, resolved to its numeric id in the managed root's databases. */
public record Principal(String name, int id) {
    public Principal {
        if (id < 0) {
            throw new IllegalArgumentException("negative id for " + name);
        }
    }

    public static final Principal ROOT_USER = new Principal("root", 0);
    public static final Principal ROOT_GROUP = new Principal("root", 0);

    @Override
    public String toString() {
        return name;
    }
}
