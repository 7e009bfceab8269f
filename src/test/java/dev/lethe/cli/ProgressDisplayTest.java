package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.cli.ProgressDisplay.Style;
import dev.lethe.model.Progress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The throttled display on a clock the test moves: which lines appear, and when. */
class ProgressDisplayTest {

    private static final long MIB = 1 << 20;

    /** A clock that stands still until the test moves it. */
    private static final class TestClock extends Clock {
        long millis;

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private final TestClock clock = new TestClock();
    private final StringWriter text = new StringWriter();
    private final PrintWriter err = new PrintWriter(text);

    private void at(long millis, Progress progress, long files, long bytes) {
        clock.millis = millis;
        progress.advance(files, bytes);
    }

    @Test
    void plainLinesComeEveryFiveSecondsAndTheLastOneAlways() {
        Progress progress = new ProgressDisplay(err, Style.LINES, clock);
        clock.millis = 1_000;
        progress.begin("copying /var/lib/app", 10, 10 * MIB);
        at(1_000, progress, 1, MIB);
        at(5_999, progress, 1, MIB);
        assertThat(text.toString()).as("nothing before five seconds").isEmpty();
        at(6_000, progress, 1, MIB);
        assertThat(text.toString()).isEqualTo("lethe: copying /var/lib/app: 30%, 3.0 MiB of 10.0 MiB, 3 of 10 files, "
                + "614.4 KiB/s\n");
        at(10_999, progress, 1, MIB);
        assertThat(text.toString().lines()).hasSize(1);
        at(11_000, progress, 1, MIB);
        assertThat(text.toString().lines()).hasSize(2);
        assertThat(text.toString().lines().toList().get(1)).startsWith("lethe: copying /var/lib/app: 50%, 5.0 MiB of 10.0 MiB, 5 of 10 files");
        clock.millis = 11_001;
        progress.end();
        assertThat(text.toString().lines()).as("the final line, though one was printed a millisecond ago").hasSize(3);
        assertThat(text.toString()).endsWith("lethe: copying /var/lib/app: done, 5.0 MiB, 5 files in 10.0 s, 511.9 KiB/s\n");
    }

    @Test
    void aShortPhaseStillEndsWithItsFigures() {
        Progress progress = new ProgressDisplay(err, Style.LINES, clock);
        progress.begin("verifying /persist/var/lib/app", 3, 3000);
        at(200, progress, 3, 3000);
        progress.end();
        assertThat(text.toString()).isEqualTo("lethe: verifying /persist/var/lib/app: done, 2.9 KiB, 3 files in 0.2 s, 14.6 KiB/s\n");
    }

    @Test
    void atBootAShortPhaseSaysNothingAndALongOneEndsWithItsFigures() {
        Progress progress = new ProgressDisplay(err, Style.LINES, clock, true);
        progress.begin("copying /var/lib/app", 2, 2 * MIB);
        at(4_999, progress, 2, 2 * MIB);
        progress.end();
        assertThat(text.toString()).as("under five seconds: the journal keeps its one line").isEmpty();
        progress.begin("copying /var/lib/big", 2, 2 * MIB);
        at(10_000, progress, 1, MIB);
        at(12_000, progress, 1, MIB);
        progress.end();
        assertThat(text.toString()).isEqualTo("lethe: copying /var/lib/big: 50%, 1.0 MiB of 2.0 MiB, 1 of 2 files, 204.8 KiB/s\n"
                + "lethe: copying /var/lib/big: done, 2.0 MiB, 2 files in 7.0 s, 292.5 KiB/s\n");
    }

    @Test
    void withoutATotalTheCountsStandAlone() {
        Progress progress = new ProgressDisplay(err, Style.LINES, clock);
        progress.begin("restoring /etc", 0, 0);
        at(5_000, progress, 7, 2048);
        assertThat(text.toString()).isEqualTo("lethe: restoring /etc: 2.0 KiB, 7 files, 409 B/s\n");
    }

    @Test
    void aWalkCountsNamesAndSaysNothingWhenItIsQuick() {
        Progress quick = new ProgressDisplay(err, Style.LINES, clock, true, true);
        quick.begin("walking /", 0, 0);
        at(4_000, quick, 90_000, 0);
        quick.end();
        assertThat(text.toString()).as("a walk under five seconds leaves stderr empty").isEmpty();
        Progress long_ = new ProgressDisplay(err, Style.LINES, clock, true, true);
        clock.millis = 0;
        long_.begin("walking /", 0, 0);
        at(5_000, long_, 100_000, 0);
        at(8_000, long_, 20_000, 0);
        long_.end();
        assertThat(text.toString()).isEqualTo("lethe: walking /: 100000 names, 20000 names/s\n"
                + "lethe: walking /: done, 120000 names in 8.0 s, 15000 names/s\n");
    }

    @Test
    void theBarIsRedrawnAtMostTenTimesASecondAndEndsWithANewline() {
        Progress progress = new ProgressDisplay(err, Style.BAR, clock);
        progress.begin("copying /var/lib/app", 4, 4 * MIB);
        at(50, progress, 1, MIB);
        at(99, progress, 0, 0);
        assertThat(text.toString()).isEmpty();
        at(100, progress, 1, MIB);
        assertThat(text.toString()).isEqualTo("\r\033[Kcopying /var/lib/app [##########..........]  50%  "
                + "2.0 MiB of 4.0 MiB, 2 of 4 files, 20.0 MiB/s");
        at(150, progress, 1, MIB);
        assertThat(text.toString().split("\r", -1)).as("no redraw 50 ms later").hasSize(2);
        at(200, progress, 0, 0);
        assertThat(text.toString().split("\r", -1)).hasSize(3);
        assertThat(text.toString()).endsWith("[###############.....]  75%  3.0 MiB of 4.0 MiB, 3 of 4 files, 15.0 MiB/s");
        clock.millis = 400;
        progress.end();
        assertThat(text.toString()).endsWith("\r\033[Kcopying /var/lib/app  done, 3.0 MiB, 3 files in 0.4 s, 7.5 MiB/s\n");
    }

    @Test
    void aLongPhaseNameKeepsItsEndOnTheBarLine() {
        Progress progress = new ProgressDisplay(err, Style.BAR, clock);
        progress.begin("copying /var/lib/a-very-long-directory-name/below-it", 1, 1);
        clock.millis = 1;
        progress.end();
        assertThat(text.toString()).as("32 characters, its end kept").startsWith("\r\033[K...-long-directory-name/below-it  done");
    }

    @Test
    void aBarOnlyOnATerminalThatRedraws() {
        assertThat(ProgressDisplay.styleFor(Map.of("TERM", "xterm-256color"), "/dev/pts/3")).isEqualTo(Style.BAR);
        assertThat(ProgressDisplay.styleFor(Map.of("TERM", "linux"), "/dev/tty1")).isEqualTo(Style.BAR);
        assertThat(ProgressDisplay.styleFor(Map.of("TERM", "xterm"), "pipe:[4711]")).isEqualTo(Style.LINES);
        assertThat(ProgressDisplay.styleFor(Map.of("TERM", "xterm"), "socket:[4711]")).as("the journal").isEqualTo(Style.LINES);
        assertThat(ProgressDisplay.styleFor(Map.of("TERM", "dumb"), "/dev/pts/3")).isEqualTo(Style.LINES);
        assertThat(ProgressDisplay.styleFor(Map.of(), "/dev/pts/3")).isEqualTo(Style.LINES);
        assertThat(ProgressDisplay.styleFor(Map.of("TERM", "xterm"), "")).isEqualTo(Style.LINES);
    }

    @Test
    void jsonOutputShowsNoProgress() {
        Progress progress = ProgressDisplay.forStderr(err, true);
        assertThat(progress).isSameAs(Progress.NONE);
        progress.begin("copying /var/lib/app", 1, 1);
        progress.advance(1, 1);
        progress.end();
        assertThat(text.toString()).isEmpty();
        assertThat(ProgressDisplay.forStderr(err, false)).isInstanceOf(ProgressDisplay.class);
    }
}
