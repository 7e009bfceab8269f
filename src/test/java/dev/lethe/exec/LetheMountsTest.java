package dev.lethe.exec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The mount id field of a line of {@code .lethe/mounts}: what the pattern \d{1,9} accepted, no more. */
class LetheMountsTest {

    @Test
    void aMountIdIsOneToNineDigits() {
        assertThat(LetheMounts.isMountId("7")).isTrue();
        assertThat(LetheMounts.isMountId("123456789")).isTrue();
        assertThat(LetheMounts.isMountId("0")).isTrue();
        assertThat(LetheMounts.isMountId("")).isFalse();
        assertThat(LetheMounts.isMountId("1234567890")).isFalse();
        assertThat(LetheMounts.isMountId("12a")).isFalse();
        assertThat(LetheMounts.isMountId("-1")).isFalse();
        assertThat(LetheMounts.isMountId(" 1")).isFalse();
        assertThat(LetheMounts.isMountId("\u0661")).as("an Arabic-Indic digit: \\d is ASCII only").isFalse();
    }
}
