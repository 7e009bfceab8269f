package dev.lethe.cli;

/** The machine cannot be acted on as asked (not root, no such root directory). Exit code 4. */
final class EnvironmentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EnvironmentException(String message) {
        super(message);
    }
}
