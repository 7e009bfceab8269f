package dev.lethe.cli;

import picocli.CommandLine.Option;

/** --json for commands whose output is data. */
final class JsonOption {
    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;
}
