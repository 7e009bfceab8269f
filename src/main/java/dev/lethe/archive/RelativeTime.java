package dev.lethe.archive;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * Short labels for when an archive was made, as {@code lethe archive list} shows them. The first step
 * that applies wins, counted back from {@code time.instant()} in {@code time.getZone()}:
 *
 * <table>
 *   <caption>labels</caption>
 *   <tr><th>age</th><th>label</th></tr>
 *   <tr><td>after now (clock skew)</td><td>"in the future"</td></tr>
 *   <tr><td>under a minute</td><td>"just now"</td></tr>
 *   <tr><td>under an hour</td><td>"1 minute ago", "5 minutes ago"</td></tr>
 *   <tr><td>under 6 hours</td><td>"1 hour ago", "5 hours ago" (also across midnight)</td></tr>
 *   <tr><td>the same calendar day</td><td>"today 09:14"</td></tr>
 *   <tr><td>the previous calendar day</td><td>"yesterday"</td></tr>
 *   <tr><td>2 to 6 calendar days</td><td>"3 days ago"</td></tr>
 *   <tr><td>7 to 13 days</td><td>"last week" (a week ago, not the previous calendar week)</td></tr>
 *   <tr><td>under 2 calendar months</td><td>"2 weeks ago" … "8 weeks ago" (whole weeks, rounded down)</td></tr>
 *   <tr><td>under a year</td><td>"2 months ago" … "11 months ago"</td></tr>
 *   <tr><td>older</td><td>"1 year ago", "3 years ago"</td></tr>
 * </table>
 *
 * <p>Minutes and hours are elapsed time; days, months and years count calendar dates in the zone, so a
 * summer-time change does not turn "yesterday" into "today". Every count rounds down.
 */
public final class RelativeTime {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm");

    private RelativeTime() {}

    public static String label(Instant then, Clock time) {
        Instant now = time.instant();
        if (then.isAfter(now)) {
            return "in the future";
        }
        Duration age = Duration.between(then, now);
        if (age.compareTo(Duration.ofMinutes(1)) < 0) {
            return "just now";
        }
        if (age.compareTo(Duration.ofHours(1)) < 0) {
            return count(age.toMinutes(), "minute");
        }
        if (age.compareTo(Duration.ofHours(6)) < 0) {
            return count(age.toHours(), "hour");
        }
        ZonedDateTime local = then.atZone(time.getZone());
        LocalDate day = local.toLocalDate();
        LocalDate today = LocalDate.ofInstant(now, time.getZone());
        long days = ChronoUnit.DAYS.between(day, today);
        if (days == 0) {
            return "today " + CLOCK.format(local);
        }
        if (days == 1) {
            return "yesterday";
        }
        if (days < 7) {
            return days + " days ago";
        }
        if (days < 14) {
            return "last week";
        }
        long months = Period.between(day, today).toTotalMonths();
        if (months < 2) {
            return (days / 7) + " weeks ago";
        }
        if (months < 12) {
            return months + " months ago";
        }
        return count(months / 12, "year");
    }

    private static String count(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s") + " ago";
    }
}
