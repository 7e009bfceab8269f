package dev.lethe.root.zfs;

import dev.lethe.root.RootException;
import dev.lethe.root.Tools;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads datasets through zfs(8). Only probes live here: they change nothing, so they go through
 * {@link Tools#tryRun} and are no crash points; every change goes through {@link #run}.
 * Written for the oldest zfs lethe meets (zfs-fuse, pool version 23): one property per
 * {@code zfs set}, no {@code zfs list -p}, so values are read with {@code zfs get -H -p}.
 */
final class Zfs {
    private final Tools tools;

    Zfs(Tools tools) {
        this.tools = tools;
    }

    /** Depth for {@link #get}: the dataset and everything below it. */
    static final int ALL_BELOW = -1;

    /**
     * A dataset or snapshot with the properties asked for.
     *
     * @param values  property → value as {@code zfs get -p} prints it
     * @param sources property → "local", "default", "inherited from X" or "-"
     */
    record Node(String name, Map<String, String> values, Map<String, String> sources) {
        Node {
            // Copies that keep zfs's order: locals() hands the clone its -o options in it.
            values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
            sources = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sources));
        }

        /** The value, or empty where zfs prints "-" (an unset user property, no origin). */
        Optional<String> value(String property) {
            String value = values.get(property);
            return value == null || value.equals("-") ? Optional.empty() : Optional.of(value);
        }

        /** The value only if set on this very dataset: a user property set on a parent is inherited. */
        Optional<String> local(String property) {
            return "local".equals(sources.get(property)) ? value(property) : Optional.empty();
        }

        /** The properties set on this dataset itself, in zfs's order. */
        Map<String, String> locals() {
            Map<String, String> locals = new LinkedHashMap<>();
            values.forEach((property, value) -> {
                if ("local".equals(sources.get(property))) {
                    locals.put(property, value);
                }
            });
            return locals;
        }

        boolean isFilesystem() {
            return value("type").orElse("").equals("filesystem");
        }
    }

    /**
     * {@code zfs get -H -p -r [-d depth] -o name,property,value,source PROPERTIES top}: the nodes in
     * zfs's order, or an empty map if {@code top} does not exist.
     *
     * @param depth 0 for {@code top} alone, 1 for its children too, {@link #ALL_BELOW} for all
     */
    Map<String, Node> get(String top, int depth, String... properties) throws RootException {
        List<String> command = new ArrayList<>(List.of("zfs", "get", "-H", "-p"));
        if (depth != 0) {
            command.add("-r");
        }
        if (depth > 0) {
            command.addAll(List.of("-d", Integer.toString(depth)));
        }
        command.addAll(List.of("-o", "name,property,value,source", String.join(",", properties), top));
        Tools.Result result = tools.tryRun(command);
        if (result.exit() != 0) {
            if (result.output().contains("does not exist")) {
                return Map.of();
            }
            throw new RootException(String.join(" ", command) + " failed (exit " + result.exit() + "): "
                    + result.output().strip());
        }
        Map<String, Map<String, String>> values = new LinkedHashMap<>();
        Map<String, Map<String, String>> sources = new LinkedHashMap<>();
        for (String line : result.output().split("\n")) {
            int first = line.indexOf('\t');
            int second = line.indexOf('\t', first + 1);
            int last = line.lastIndexOf('\t');
            if (first < 0 || second < 0 || last <= second) {
                continue;
            }
            // A user property's value may hold a tab: the name and property come first, the source last.
            String name = line.substring(0, first);
            String property = line.substring(first + 1, second);
            values.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(property, line.substring(second + 1, last));
            sources.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(property, line.substring(last + 1));
        }
        Map<String, Node> nodes = new LinkedHashMap<>();
        values.forEach((name, v) -> nodes.put(name, new Node(name, v, sources.get(name))));
        return nodes;
    }

    /**
     * Every node at and below {@code top} (to {@code depth}) with all its properties. "all" leaves
     * out some that zfs-fuse knows, guid and origin among them, so those are asked for by name.
     */
    Map<String, Node> all(String top, int depth) throws RootException {
        Map<String, Node> all = get(top, depth, "all");
        Map<String, Node> hidden = get(top, depth, "guid", "origin");
        Map<String, Node> merged = new LinkedHashMap<>();
        all.forEach((name, node) -> {
            Map<String, String> values = new LinkedHashMap<>(node.values());
            Map<String, String> sources = new LinkedHashMap<>(node.sources());
            Node extra = hidden.get(name);
            if (extra != null) {
                values.putAll(extra.values());
                sources.putAll(extra.sources());
            }
            merged.put(name, new Node(name, values, sources));
        });
        return merged;
    }

    /** One dataset or snapshot with all its properties, if it exists. */
    Optional<Node> node(String name) throws RootException {
        return Optional.ofNullable(all(name, 0).get(name));
    }

    boolean exists(String name) throws RootException {
        return !get(name, 0, "type").isEmpty();
    }

    /** The filesystems among {@code nodes}, each parent before its children. */
    static List<Node> filesystems(Map<String, Node> nodes) {
        return nodes.values().stream()
                .filter(Node::isFilesystem)
                .sorted(Comparator.comparingLong((Node n) -> n.name().chars().filter(c -> c == '/').count())
                        .thenComparing(Node::name))
                .toList();
    }

    /** The dataset a child dataset lies in ("pool/root/var" → "pool/root"). */
    static String parent(String dataset) {
        int slash = dataset.lastIndexOf('/');
        return slash < 0 ? "" : dataset.substring(0, slash);
    }

    /** How long a dataset may stay "busy" after its unmount before lethe gives up. */
    private static final long BUSY_PATIENCE_NANOS = 30_000_000_000L;

    /**
     * Runs a zfs command, again while zfs says "dataset is busy": zfs-fuse tears a filesystem down
     * in its daemon after the unmount has returned, and until then refuses to rename or destroy it.
     * A failed command changed nothing, so trying it again is safe.
     */
    void run(List<String> command) throws RootException {
        long deadline = System.nanoTime() + BUSY_PATIENCE_NANOS;
        while (true) {
            try {
                tools.run(command);
                return;
            } catch (RootException e) {
                if (!e.getMessage().contains("dataset is busy") || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RootException("interrupted while waiting for a busy dataset: " + String.join(" ", command), e);
            }
        }
    }
}
