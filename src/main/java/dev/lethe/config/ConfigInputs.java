package dev.lethe.config;

import dev.lethe.model.Origin;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Every byte a {@link Config} is made of: the config file's, and the managed root's etc/passwd and
 * etc/group (owners and users resolve through them). Read once, so that the parse and the boot's
 * {@link ConfigCache} are checked against the very same bytes. This class uses no TOML parser: the
 * boot path reads it on a cache hit.
 */
public final class ConfigInputs {

    private final String file;
    private final String text;
    private final byte[] config;
    private final byte[] passwd;
    private final byte[] group;

    /**
     * @param file   the config file's name as used in every {@link Origin}
     * @param config the config file's bytes, which must be UTF-8
     */
    public ConfigInputs(String file, byte[] config, byte[] passwd, byte[] group) throws CharacterCodingException {
        this.file = file;
        this.config = config.clone();
        this.passwd = passwd.clone();
        this.group = group.clone();
        // Strict, as Files.readString: bad bytes are an error, never replaced.
        this.text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(this.config)).toString();
    }

    /**
     * Reads {@code file} and {@code root}/etc/passwd and etc/group (a missing one is an empty
     * database), failing with the messages a config load gives.
     */
    public static ConfigInputs read(Path file, Path root) throws ConfigException {
        String name = file.toString();
        byte[] config;
        try {
            config = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw failure(name, "config file not found: " + name + "; create it or point lethe at the right file");
        } catch (AccessDeniedException e) {
            throw failure(name, "cannot read config file " + name + ": permission denied; run as root or fix its permissions");
        } catch (IOException e) {
            throw failure(name, "cannot read config file " + name + ": " + e.getMessage());
        }
        byte[] passwd;
        byte[] group;
        try {
            // Checked before the user database is read, as the config is read first.
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(config));
            passwd = Accounts.readIfPresent(root.resolve("etc/passwd"));
            group = Accounts.readIfPresent(root.resolve("etc/group"));
        } catch (CharacterCodingException e) {
            throw failure(name, "cannot read config file " + name + ": it is not UTF-8 text, as TOML requires");
        } catch (IOException e) {
            throw failure(name, "cannot read the user database " + root.resolve("etc/passwd") + " or "
                    + root.resolve("etc/group") + ": " + e);
        }
        try {
            return new ConfigInputs(name, config, passwd, group);
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("decoded once already", e);
        }
    }

    public String file() {
        return file;
    }

    /** The config file's text. */
    public String text() {
        return text;
    }

    byte[] config() {
        return config;
    }

    /** The user and group databases these bytes hold. */
    public Accounts accounts() {
        return Accounts.parse(passwd, group);
    }

    byte[] passwd() {
        return passwd;
    }

    byte[] group() {
        return group;
    }

    /** Same name and the same config bytes, whatever the user database holds. */
    boolean sameConfig(ConfigInputs other) {
        return file.equals(other.file) && Arrays.equals(config, other.config);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ConfigInputs that && sameConfig(that)
                && Arrays.equals(passwd, that.passwd) && Arrays.equals(group, that.group);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * file.hashCode() + Arrays.hashCode(config)) + Arrays.hashCode(passwd))
                + Arrays.hashCode(group);
    }

    @Override
    public String toString() {
        return file + " (" + config.length + " bytes; passwd " + passwd.length + ", group " + group.length + ")";
    }

    static ConfigException failure(String file, String message) {
        return new ConfigException(List.of(new ConfigError(new Origin(file, 0), null, message)));
    }
}
