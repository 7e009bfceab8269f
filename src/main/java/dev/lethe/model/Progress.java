package dev.lethe.model;

/**
 * How far a long piece of work has come (copying a tree into the store, verifying it, restoring
 * from an archive), told by the layer doing it to whatever displays it. The engine only counts;
 * when and how to show the counts is the display's business (the command layer throttles them).
 * Calls come from the working thread, in the order begin, advance..., end.
 */
public interface Progress {

    /**
     * A phase starts, e.g. "copying /var/lib/app".
     *
     * @param files the number of files it will go through, 0 when not known beforehand
     * @param bytes the number of bytes it will go through, 0 when not known beforehand
     */
    void begin(String phase, long files, long bytes);

    /** {@code files} more files and {@code bytes} more bytes are done since the last call. */
    void advance(long files, long bytes);

    /** The phase is over, whether it finished or failed (a failure is reported by its exception). */
    void end();

    /** Shows nothing: for callers with nobody to tell, and for machine-readable output. */
    Progress NONE = new Progress() {
        @Override
        public void begin(String phase, long files, long bytes) {}

        @Override
        public void advance(long files, long bytes) {}

        @Override
        public void end() {}
    };
}
