package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The header row, columns as wide as their longest cell, numbers to the right, no trailing spaces. */
class TableTest {

    private static String print(Table table) {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            table.print(out);
        }
        return text.toString();
    }

    @Test
    void columnsWidenForTheLongestCellAndNumbersAlignRight() {
        Table table = new Table(">SIZE", "PATH", "NOTE")
                .row("4.9 KiB", "/persist/var/lib/app", "")
                .row("12 B", "/persist/a/much/longer/path/than/the/others", "kept");
        assertThat(print(table)).isEqualTo("""
                   SIZE  PATH                                         NOTE
                4.9 KiB  /persist/var/lib/app
                   12 B  /persist/a/much/longer/path/than/the/others  kept
                """);
    }

    @Test
    void noRowsPrintNothingNotEvenTheHeader() {
        assertThat(print(new Table("STATE", "PATH"))).isEmpty();
    }
}
