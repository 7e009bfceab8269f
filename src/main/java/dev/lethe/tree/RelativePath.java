package dev.lethe.tree;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A path inside a copied or compared tree, relative to its root ("." for the root itself). Kept
 * as raw name bytes, because file names on Linux are bytes and need not be UTF-8; shown to people
 * with undecodable bytes escaped as {@code \xNN}.
 */
final class RelativePath {
    static final RelativePath ROOT = new RelativePath(null, null);

    private final RelativePath parent;
    private final byte[] name;

    private RelativePath(RelativePath parent, byte[] name) {
        this.parent = parent;
        this.name = name;
    }

    RelativePath child(byte[] childName) {
        return new RelativePath(this, childName.clone());
    }

    boolean isRoot() {
        return parent == null;
    }

    /** The names from the root down; empty for the root. */
    List<byte[]> components() {
        List<byte[]> names = new ArrayList<>();
        for (RelativePath p = this; !p.isRoot(); p = p.parent) {
            names.add(p.name.clone());
        }
        Collections.reverse(names);
        return names;
    }

    /** The names joined with '/', or "." for the root. */
    byte[] bytes() {
        if (isRoot()) {
            return new byte[] {'.'};
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] component : components()) {
            if (out.size() > 0) {
                out.write('/');
            }
            out.writeBytes(component);
        }
        return out.toByteArray();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RelativePath that && Arrays.equals(bytes(), that.bytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes());
    }

    @Override
    public String toString() {
        return display(bytes());
    }

    /** Valid UTF-8 as text, anything else (and control characters) as {@code \xNN}. */
    static String display(byte[] raw) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
            StringBuilder shown = new StringBuilder(text.length());
            text.chars().forEach(c -> {
                if (c < 0x20 || c == 0x7f || c == '\\') {
                    shown.append(String.format("\\x%02x", c));
                } else {
                    shown.append((char) c);
                }
            });
            return shown.toString();
        } catch (CharacterCodingException notUtf8) {
            StringBuilder shown = new StringBuilder(raw.length * 2);
            for (byte b : raw) {
                int c = Byte.toUnsignedInt(b);
                if (c >= 0x20 && c < 0x7f && c != '\\') {
                    shown.append((char) c);
                } else {
                    shown.append(String.format("\\x%02x", c));
                }
            }
            return shown.toString();
        }
    }
}
