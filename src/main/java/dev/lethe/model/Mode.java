package dev.lethe.model;

/** Permission bits (including setuid, setgid and sticky), written in octal like chmod takes them. */
public record Mode(int bits) {

    public Mode {
        if (bits < 0 || bits > 07777) {
            throw new IllegalArgumentException("mode out of range: " + Integer.toOctalString(bits));
        }
    }

    public static final Mode DIRECTORY_DEFAULT = new Mode(0755);
    public static final Mode FILE_DEFAULT = new Mode(0644);
    public static final Mode HOME_DEFAULT = new Mode(0700);

    /** Parses "0755", "755" or "2775"; throws with a user-facing reason otherwise. */
    public static Mode parse(String text) {
        if (text == null || !text.matches("0?[0-7]{3,4}") || text.length() > 5) {
            throw new IllegalArgumentException("mode must be octal like \"0755\", got \"" + text + "\"");
        }
        int bits = Integer.parseInt(text, 8);
        if (bits > 07777) {
            throw new IllegalArgumentException("mode must be at most 07777, got \"" + text + "\"");
        }
        return new Mode(bits);
    }

    @Override
    public String toString() {
        return String.format("%04o", bits);
    }
}
