package dev.lethe.config;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Origin;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How the root forgets, from the [root] table: one record per strategy, holding exactly the values
 * that strategy needs. {@link RootReader} checks every rule on these values with the file and line
 * of the mistake; the records refuse a value that breaks them too (a programming error, since the
 * reader reports it first), so a strategy never re-checks its config.
 */
public sealed interface RootConfig {

    /**
     * The directory (btrfs, on the top level) or dataset (zfs, below the pool) where lethe keeps the
     * archives of old roots. A root or blank inside it would be archived into itself or pruned.
     */
    String ARCHIVES = "lethe-archives";

    Strategy strategy();

    /** Which archives of old roots to keep; {@link Retention#UNDECLARED} when nothing is archived. */
    Retention retention();

    /** The line of [root], or line 0 when the config has none. */
    Origin origin();

    /**
     * @param device    the device holding the root subvolume ("/dev/disk/by-label/system")
     * @param subvolume the subvolume mounted as root, as a path from the top level without a leading
     *                  slash ("@root", "roots/@root")
     * @param blank     the empty read-only subvolume the root is recreated from, same form
     */
    record Btrfs(String device, String subvolume, String blank, Retention retention, Origin origin)
            implements RootConfig {
        public Btrfs {
            Objects.requireNonNull(device);
            Objects.requireNonNull(retention);
            Objects.requireNonNull(origin);
            RootRules.requireNone(RootRules.subvolumeProblem(subvolume));
            RootRules.requireNone(RootRules.subvolumeProblem(blank));
            RootRules.requireNone(RootRules.subvolumePairProblem(subvolume, blank));
        }

        @Override
        public Strategy strategy() {
            return Strategy.BTRFS;
        }
    }

    /**
     * @param dataset the dataset mounted as root, inside a pool ("rpool/root")
     * @param blank   the name of its blank snapshot, without dataset and @ ("blank" unless written)
     */
    record Zfs(String dataset, String blank, Retention retention, Origin origin) implements RootConfig {
        public Zfs {
            Objects.requireNonNull(retention);
            Objects.requireNonNull(origin);
            RootRules.requireNone(RootRules.datasetProblem(dataset));
            RootRules.requireNone(RootRules.snapshotProblem(blank));
        }

        @Override
        public Strategy strategy() {
            return Strategy.ZFS;
        }
    }

    /**
     * @param upper  a directory on a persistent filesystem holding the upper directories; free of the
     *               characters overlayfs mount options cannot carry
     * @param device the lower root's device, when written
     */
    record Overlay(AbsolutePath upper, Optional<String> device, Retention retention, Origin origin)
            implements RootConfig {
        public Overlay {
            Objects.requireNonNull(upper);
            Objects.requireNonNull(device);
            Objects.requireNonNull(retention);
            Objects.requireNonNull(origin);
            RootRules.requireNone(RootRules.upperProblem(upper.value()));
        }

        @Override
        public Strategy strategy() {
            return Strategy.OVERLAY;
        }
    }

    /** A root on tmpfs: gone at power-off, so there is nothing to archive. */
    record Tmpfs(Origin origin) implements RootConfig {
        public Tmpfs {
            Objects.requireNonNull(origin);
        }

        @Override
        public Strategy strategy() {
            return Strategy.TMPFS;
        }

        @Override
        public Retention retention() {
            return Retention.UNDECLARED;
        }
    }

    /** The root is kept: nothing is wiped (adoption mode, and a config without [root]). */
    record None(Origin origin) implements RootConfig {
        public None {
            Objects.requireNonNull(origin);
        }

        @Override
        public Strategy strategy() {
            return Strategy.NONE;
        }

        @Override
        public Retention retention() {
            return Retention.UNDECLARED;
        }
    }

    /** The root of a config without [root]: nothing is wiped (adoption mode). */
    static RootConfig none(String file) {
        return new None(new Origin(file, 0));
    }

    public enum Strategy {
        BTRFS,
        ZFS,
        OVERLAY,
        TMPFS,
        NONE;

        /** The word the config uses ("btrfs"). */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Which archives of old roots to keep, as btrbk and sanoid express it: the newest {@code last},
     * all younger than {@code within}, and the newest one per hour, day, week and month for the given
     * number of them. An empty field is a rule that was not written.
     */
    public record Retention(
            OptionalInt last,
            Optional<Duration> within,
            OptionalInt hourly,
            OptionalInt daily,
            OptionalInt weekly,
            OptionalInt monthly) {

        public static final Retention UNDECLARED = new Retention(OptionalInt.empty(), Optional.empty(),
                OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());

        // equals and hashCode written out, as the record's own would be: the generated ones are
        // bootstrapped through java.lang.invoke at their first call, which every boot paid
        // (docs/performance.md, start-up lever by lever). RecordEqualityTest holds them to it.
        @Override
        public boolean equals(Object other) {
            return other instanceof Retention r && last.equals(r.last) && within.equals(r.within) && hourly.equals(r.hourly)
                    && daily.equals(r.daily) && weekly.equals(r.weekly) && monthly.equals(r.monthly);
        }

        @Override
        public int hashCode() {
            return Objects.hash(last, within, hourly, daily, weekly, monthly);
        }

        public Retention {
            Objects.requireNonNull(last);
            Objects.requireNonNull(within);
            Objects.requireNonNull(hourly);
            Objects.requireNonNull(daily);
            Objects.requireNonNull(weekly);
            Objects.requireNonNull(monthly);
        }
    }
}
