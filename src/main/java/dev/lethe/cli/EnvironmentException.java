package dev.lethe.cli;

/** The machine cannot be acted on as asked (not root, no such root directory). Exit code 4. */
final class EnvironmentException extends RuntimeException {
    EnvironmentException(String message) {
        super(message);
    }
}
