package dev.lethe.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The readings in the Prometheus text format, as node-exporter's textfile collector reads
 * {@code *.prom} files, and the atomic replacement of such a file: node-exporter may read it at
 * any instant, so it must see the old file or the new one whole, never a part.
 */
public final class Textfile {
    private Textfile() {}

    /** The readings in the text format (version 0.0.4), every metric with its HELP and TYPE. */
    public static byte[] render(Readings readings) throws IOException {
        List<GaugeSnapshot> gauges = new ArrayList<>();
        GaugeSnapshot.Builder paths = gauge("lethe_entries", "Paths lethe status shows, by state: the entries, "
                + "and the orphans, unreadable journals and failed wipe it lists.");
        readings.paths().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> paths.dataPoint(point(e.getValue(), "state", e.getKey().word())));
        gauges.add(paths.build());
        GaugeSnapshot.Builder orphanCount = gauge("lethe_orphans", "Orphaned paths in the store: data no entry names.");
        GaugeSnapshot.Builder orphanBytes = gauge("lethe_orphan_bytes", "Bytes the orphaned paths in the store hold.");
        for (Readings.StoreOrphans store : readings.orphans()) {
            orphanCount.dataPoint(point(store.count(), "store", store.store().value()));
            orphanBytes.dataPoint(point(store.bytes(), "store", store.store().value()));
        }
        gauges.add(orphanCount.build());
        gauges.add(orphanBytes.build());
        readings.archives().ifPresent(archives -> {
            gauges.add(single("lethe_archives", "Archived old roots the root strategy keeps.", archives.count()));
            gauges.add(single("lethe_archives_degraded",
                    "Archived roots whose boot did not finish activation, kept until pruned by id.", archives.degraded()));
            archives.newest().ifPresent(newest -> gauges.add(single("lethe_last_wipe_timestamp_seconds",
                    "When the newest archive was made: the last wipe that archived a root.", seconds(newest))));
        });
        gauges.add(single("lethe_degraded_boot",
                "1 when this boot's activation did not finish (no activation mark of this boot on the root).",
                readings.degradedBoot() ? 1 : 0));
        gauges.add(single("lethe_wipe_failed", "1 when this boot's initrd wipe failed: the old root was not forgotten.",
                readings.wipeFailed() ? 1 : 0));
        readings.activation().ifPresent(mark -> {
            gauges.add(single("lethe_last_activation_timestamp_seconds",
                    "When the last activation that finished on this root finished.", seconds(mark.finished())));
            mark.took().ifPresent(took -> gauges.add(single("lethe_last_activation_duration_seconds",
                    "How long the last finished activation took.", took.toNanos() / 1e9)));
        });
        gauges.add(gauge("lethe_build_info", "The lethe that wrote these metrics; the value is always 1.")
                .dataPoint(point(1, "version", readings.version())).build());
        gauges.add(single("lethe_metrics_last_success_timestamp_seconds",
                "When lethe metrics last collected these figures.", seconds(readings.collected())));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.builder().build().write(text, new MetricSnapshots(new ArrayList<>(gauges)));
        return text.toByteArray();
    }

    /**
     * Replaces {@code file} whole: the text goes to a temporary file in the same directory, is
     * synced, then renamed over the file, and the directory is synced so the rename survives a crash.
     *
     * @throws NoSuchFileException when the directory does not exist (it is not made: a wrong path
     *                             should be seen, not hidden)
     */
    public static void write(Path file, byte[] text) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(directory)) {
            throw new NoSuchFileException(directory.toString(), null, "no such directory for the metrics file " + file);
        }
        // Named .tmp, not .prom: node-exporter reads only *.prom, so it never sees a half-written file.
        Path temporary = Files.createTempFile(directory, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(text);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            // createTempFile makes it 0600; node-exporter runs as its own user and must read it.
            Files.setPosixFilePermissions(temporary, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static GaugeSnapshot.Builder gauge(String name, String help) {
        return GaugeSnapshot.builder().name(name).help(help);
    }

    private static GaugeSnapshot single(String name, String help, double value) {
        return gauge(name, help).dataPoint(GaugeDataPointSnapshot.builder().value(value).build()).build();
    }

    private static GaugeDataPointSnapshot point(double value, String label, String labelValue) {
        return GaugeDataPointSnapshot.builder().value(value).labels(Labels.of(label, labelValue)).build();
    }

    private static double seconds(Instant instant) {
        return instant.toEpochMilli() / 1000.0;
    }
}
