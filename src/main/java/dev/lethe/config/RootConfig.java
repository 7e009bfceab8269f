package dev.lethe.config;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Origin;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How the root forgets, from the [root] table. Only the keys of the chosen strategy are present:
 * btrfs has device, subvolume and blank; zfs has dataset and blank; overlay has upper and maybe
 * device; tmpfs and none have nothing.
 *
 * @param device    btrfs: the device holding the root subvolume; overlay: the lower root device
 * @param subvolume btrfs: the subvolume mounted as root
 * @param blank     btrfs: the empty subvolume the root is recreated from; zfs: the name of the
 *                  blank snapshot of the dataset ("blank" unless written)
 * @param dataset   zfs: the dataset mounted as root
 * @param upper     overlay: a directory on a persistent filesystem holding the upper directories
 * @param origin    the line of [root], or line 0 when the config has none
 */
public record RootConfig(
        Strategy strategy,
        Optional<String> device,
        Optional<String> subvolume,
        Optional<String> blank,
        Optional<String> dataset,
        Optional<AbsolutePath> upper,
        Retention retention,
        Origin origin) {

    public RootConfig {
        Objects.requireNonNull(strategy);
        Objects.requireNonNull(device);
        Objects.requireNonNull(subvolume);
        Objects.requireNonNull(blank);
        Objects.requireNonNull(dataset);
        Objects.requireNonNull(upper);
        Objects.requireNonNull(retention);
        Objects.requireNonNull(origin);
    }

    /** The root of a config without [root]: nothing is wiped (adoption mode). */
    static RootConfig none(String file) {
        return new RootConfig(Strategy.NONE, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Retention.UNDECLARED, new Origin(file, 0));
    }

    public enum Strategy {
        BTRFS,
        ZFS,
        OVERLAY,
        TMPFS,
        NONE;

        /** The word the config uses ("btrfs"). */
        String word() {
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

        static final Retention UNDECLARED = new Retention(OptionalInt.empty(), Optional.empty(),
                OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());

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
