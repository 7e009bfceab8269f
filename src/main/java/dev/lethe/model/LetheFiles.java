package dev.lethe.model;

/** The files lethe itself keeps on a managed root, which the other layers must recognise as lethe's. */
public final class LetheFiles {
    private LetheFiles() {}

    /**
     * The mark a boot leaves on its root when activation finished (see {@code exec.Activation}):
     * never persisted, and never reported by diff as a change.
     */
    public static final AbsolutePath ACTIVATION_MARK = AbsolutePath.of("/.lethe-activated");
}
