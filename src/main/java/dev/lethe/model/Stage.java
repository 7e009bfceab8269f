package dev.lethe.model;

/** When an entry is activated during boot. */
public enum Stage {
    /** In the initrd, before the real root is switched to (for files systemd reads first, like /etc/machine-id). */
    INITRD,
    /** Early in the booted system, before sysinit.target (the default). */
    SYSTEM;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
