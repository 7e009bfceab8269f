package dev.lethe.model;

/** The files lethe itself keeps on a managed root, which the other layers must recognise as lethe's. */
public final class LetheFiles {
    private LetheFiles() {}

    /**
     * The mark a boot leaves on its root when activation finished (see {@code exec.Activation}):
     * never persisted, and never reported by diff as a change.
     */
    public static final AbsolutePath ACTIVATION_MARK = AbsolutePath.of("/.lethe-activated");

    /**
     * Where the initrd stage keeps its mounts ({@code /run} of the initrd, which becomes the new root's
     * {@code /run}): for overlay and tmpfs the real root, the overlay's lower layer, is at {@link
     * #OVERLAY_LOWER} on the running system.
     */
    public static final AbsolutePath RUN = AbsolutePath.of("/run/lethe");

    /** The real root under an overlay root, read-only, as the initrd stage leaves it. */
    public static final AbsolutePath OVERLAY_LOWER = AbsolutePath.of("/run/lethe/lower");
}
