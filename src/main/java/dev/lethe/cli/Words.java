package dev.lethe.cli;

/** Counted nouns as a person writes them: "1 entry", "2 entries". */
final class Words {
    private Words() {}

    static String count(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }
}
