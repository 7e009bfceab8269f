package dev.lethe.archive;

import java.time.Instant;
import java.util.Objects;

/**
 * An archived old root as a root strategy lists it.
 *
 * @param id       what the strategy calls it: a timestamp like {@code 20261128T214500Z}, a subvolume
 *                 or a dataset name; unique within one listing
 * @param created  when the archive was made, as an absolute instant; relative labels ("yesterday") are
 *                 computed only when shown, see {@link RelativeTime}
 * @param degraded the boot that used this root did not finish activation (safety invariant 5): the
 *                 archive is kept until someone prunes it by id
 */
public record ArchiveRef(String id, Instant created, boolean degraded) {
    public ArchiveRef {
        Objects.requireNonNull(id);
        Objects.requireNonNull(created);
        if (id.isBlank()) {
            throw new IllegalArgumentException("an archive id must not be blank");
        }
    }
}
