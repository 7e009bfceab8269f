package dev.lethe.cli;

import dev.lethe.model.Progress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Shows a long phase's progress on stderr, so that results on stdout stay clean ({@code lethe apply
 * > log} still shows progress on the terminal). On a terminal, one line redrawn in place at most
 * ten times a second, with a bar when the total is known; otherwise (a pipe, a journal, TERM=dumb)
 * a plain line every five seconds. Either way the phase ends with its final figures, so a log
 * records what was copied and how fast; at boot only a phase long enough to have shown a line
 * does, so that the journal of an ordinary boot keeps its one line. Machine-readable output gets
 * {@link Progress#NONE}.
 *
 * <p>Hand-written rather than a progress-bar library: the boot path loads it too (plain lines in
 * the journal), the throttle must run on an injected clock, and what it draws is one line.
 */
final class ProgressDisplay implements Progress {

    enum Style {
        /** One line redrawn in place with a carriage return. */
        BAR,
        /** Plain lines, a few seconds apart. */
        LINES
    }

    static final Duration BAR_INTERVAL = Duration.ofMillis(100);
    static final Duration LINE_INTERVAL = Duration.ofSeconds(5);
    private static final int BAR_WIDTH = 20;
    private static final int PHASE_WIDTH = 32;
    /** Back to the line's start, and clear what a longer line left there. */
    private static final String REDRAW = "\r\033[K";

    private final PrintWriter err;
    private final Style style;
    private final Clock clock;
    private final boolean quietWhenShort;
    private final boolean namesOnly;
    private String phase = "";
    private long totalFiles;
    private long totalBytes;
    private long files;
    private long bytes;
    private long startedMillis;
    private long shownMillis;
    private boolean shown;

    ProgressDisplay(PrintWriter err, Style style, Clock clock) {
        this(err, style, clock, false);
    }

    /** @param quietWhenShort end a phase silently when it showed nothing before (it took less than one interval) */
    ProgressDisplay(PrintWriter err, Style style, Clock clock, boolean quietWhenShort) {
        this(err, style, clock, quietWhenShort, false);
    }

    /** @param namesOnly the work counts names (a walk), not files and bytes (a copy) */
    ProgressDisplay(PrintWriter err, Style style, Clock clock, boolean quietWhenShort, boolean namesOnly) {
        this.err = err;
        this.style = style;
        this.clock = clock;
        this.quietWhenShort = quietWhenShort;
        this.namesOnly = namesOnly;
    }

    /** The display for a command's stderr: nothing with --json, a bar on a terminal, plain lines otherwise. */
    static Progress forStderr(PrintWriter err, boolean json) {
        return json ? Progress.NONE : new ProgressDisplay(err, styleFor(System.getenv(), stderrDevice()), Wiring.CLOCK);
    }

    /**
     * A walk over a tree (the adoption-mode diff's), in names listed: shown only once it has run
     * longer than one interval, so that a quick run leaves stderr empty; nothing with --json.
     */
    static Progress forWalk(PrintWriter err, boolean json) {
        return json ? Progress.NONE
                : new ProgressDisplay(err, styleFor(System.getenv(), stderrDevice()), Wiring.CLOCK, true, true);
    }

    /** The display of apply at boot: plain lines, and only for a phase that runs longer than one interval. */
    static Progress atBoot(PrintWriter err) {
        return new ProgressDisplay(err, Style.LINES, Wiring.CLOCK, true);
    }

    /**
     * A bar only on a terminal that can redraw a line: not with TERM unset or dumb. The bar has no
     * colour, so NO_COLOR changes nothing here.
     */
    static Style styleFor(Map<String, String> environment, String stderrDevice) {
        String term = environment.getOrDefault("TERM", "");
        boolean terminal = stderrDevice.startsWith("/dev/pts/") || stderrDevice.startsWith("/dev/tty");
        return terminal && !term.isEmpty() && !term.equals("dumb") ? Style.BAR : Style.LINES;
    }

    /** What file descriptor 2 is open on, e.g. /dev/pts/3 or pipe:[123]; "" if that cannot be read. */
    private static String stderrDevice() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "";
        }
    }

    @Override
    public void begin(String phase, long files, long bytes) {
        this.phase = phase;
        this.totalFiles = files;
        this.totalBytes = bytes;
        this.files = 0;
        this.bytes = 0;
        this.startedMillis = clock.millis();
        this.shownMillis = startedMillis;
        this.shown = false;
    }

    @Override
    public void advance(long files, long bytes) {
        this.files += files;
        this.bytes += bytes;
        long now = clock.millis();
        if (now - shownMillis >= (style == Style.BAR ? BAR_INTERVAL : LINE_INTERVAL).toMillis()) {
            show(now, false);
        }
    }

    @Override
    public void end() {
        if (quietWhenShort && !shown) {
            return;
        }
        show(clock.millis(), true);
        if (style == Style.BAR) {
            err.println();
        }
        err.flush();
    }

    private void show(long now, boolean last) {
        shownMillis = now;
        shown = true;
        if (style == Style.BAR) {
            err.print(REDRAW + barLine(now, last));
        } else {
            err.println("lethe: " + phase + ": " + figures(now, last));
        }
        err.flush();
    }

    /** "copying /var/lib/app [#######.............]  35%  1.0 GiB of 2.9 GiB, 1200 of 3400 files, 95.2 MiB/s" */
    private String barLine(long now, boolean last) {
        String name = phase.length() <= PHASE_WIDTH ? phase : "..." + phase.substring(phase.length() - PHASE_WIDTH + 3);
        if (totalBytes <= 0 || last) {
            return name + "  " + figures(now, last);
        }
        int percent = percent();
        int filled = percent * BAR_WIDTH / 100;
        return String.format("%s [%s%s] %3d%%  %s", name, "#".repeat(filled), ".".repeat(BAR_WIDTH - filled), percent,
                figures(now, false));
    }

    private int percent() {
        return (int) Math.min(100, bytes * 100 / totalBytes);
    }

    /** The counts and the rate; at the end, the totals and the time taken. */
    private String figures(long now, boolean last) {
        long millis = now - startedMillis;
        if (namesOnly) {  // a walk: names listed, no data read
            String rate = millis > 0 ? ", " + files * 1000 / millis + " names/s" : "";
            String names = Words.count(files, "name", "names");
            return last ? String.format(Locale.ROOT, "done, %s in %.1f s%s", names, millis / 1000.0, rate) : names + rate;
        }
        String rate = millis > 0 ? ", " + Words.bytes(bytes * 1000 / millis) + "/s" : "";
        if (last) {
            return String.format(Locale.ROOT, "done, %s, %s in %.1f s%s", Words.bytes(bytes),
                    Words.count(files, "file", "files"), millis / 1000.0, rate);
        }
        String of = totalBytes > 0 ? " of " + Words.bytes(totalBytes) : "";
        String ofFiles = totalFiles > 0 ? files + " of " + Words.count(totalFiles, "file", "files")
                : Words.count(files, "file", "files");
        String percent = style == Style.LINES && totalBytes > 0 ? percent() + "%, " : "";
        return percent + Words.bytes(bytes) + of + ", " + ofFiles + rate;
    }
}
