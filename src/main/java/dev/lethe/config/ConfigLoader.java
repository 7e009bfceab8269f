package dev.lethe.config;

import java.nio.file.Path;
import java.util.List;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;

/** Reads a lethe config (TOML) into a validated {@link Config}, reporting every problem at once. */
public final class ConfigLoader {

    private static final List<String> TOP_KEYS = List.of("root", "store", "diff", "metrics");

    private ConfigLoader() {}

    /**
     * Loads {@code file}, resolving users and groups in {@code root}/etc/passwd and etc/group, where
     * {@code root} is the root being managed ("/" normally, "/sysroot" in the initrd).
     */
    public static Config load(Path file, Path root) throws ConfigException {
        return parse(ConfigInputs.read(file, root));
    }

    /** Parses the config in {@code inputs}, resolving names in the user database they hold. */
    public static Config parse(ConfigInputs inputs) throws ConfigException {
        return parse(inputs.text(), inputs.file(), inputs.accounts());
    }

    /** Parses config text; {@code fileName} is used in every origin and error. */
    public static Config parse(String text, String fileName, Accounts accounts) throws ConfigException {
        Source source = new Source(fileName, text);
        int tooDeep = Nesting.tooDeepAt(text);
        if (tooDeep > 0) {
            source.error(tooDeep, null, "arrays or inline tables nested more than " + Nesting.LIMIT
                    + " deep; a lethe config needs a few levels at most: is this the right file?");
            throw new ConfigException(source.errors());
        }
        TomlParseResult document;
        try {
            document = Toml.parse(text);
        } catch (StackOverflowError e) {
            // The scan above keeps brackets shallow; this is for whatever else makes the parser recurse.
            source.error(0, null, "the TOML parser gave up on this file (its structure is too deep); is this the right file?");
            throw new ConfigException(source.errors());
        }
        if (document.hasErrors()) {
            // The document's structure is unreliable after a syntax error: report only those.
            for (TomlParseError error : document.errors()) {
                source.error(error.position().line(), null, "TOML syntax error (column " + error.position().column()
                        + "): " + error.getMessage());
            }
            throw new ConfigException(source.errors());
        }
        Keys.requireKnown(source, document, TOP_KEYS, "the top level", null);
        RootConfig root = new RootReader(source).read(document);
        StoreReader stores = new StoreReader(source, accounts);
        stores.read(document);
        Overlaps.check(source, stores.stores(), stores.entries());
        DiffConfig diff = new DiffReader(source).read(document);
        MetricsConfig metrics = new MetricsReader(source).read(document);
        for (StoreConfig store : stores.stores()) {
            if (store.onRoot() && root.strategy() != RootConfig.Strategy.NONE) {
                source.error(store.origin().line(), store.path().value(), "on-root = true keeps the store on the root "
                        + "filesystem, which strategy \"" + root.strategy().name().toLowerCase(java.util.Locale.ROOT)
                        + "\" wipes; put the store on a filesystem of its own");
            }
            if (root instanceof RootConfig.Overlay overlay) {
                // Overlay archives are pruned, and lethe never deletes data in a store.
                if (overlay.upper().startsWith(store.path())) {
                    source.error(store.origin().line(), store.path().value(), "[root] upper " + overlay.upper()
                            + " is inside this store: overlay archives are pruned, and lethe never deletes data in a store."
                            + " Put upper on a persistent filesystem outside every store, such as a separate mount at /overlay");
                } else if (store.path().startsWith(overlay.upper())) {
                    source.error(store.origin().line(), store.path().value(), "[root] upper " + overlay.upper()
                            + " contains this store: overlay archives are pruned, and lethe never deletes data in a store."
                            + " Put upper beside the store, not above it");
                }
            }
        }
        if (source.hasErrors()) {
            throw new ConfigException(source.errors());
        }
        return new Config(fileName, root, stores.stores(), stores.entries(), diff, metrics);
    }
}
