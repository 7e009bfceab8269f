package dev.lethe.cli;

/** Counted nouns and sizes as a person writes them: "1 entry", "2 entries", "1.5 MiB". */
final class Words {
    private Words() {}

    static String count(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    /** A size in bytes, in binary units above 1 KiB: "512 B", "1.5 MiB". */
    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format("%.1f %s", value, units[unit]);
    }
}
