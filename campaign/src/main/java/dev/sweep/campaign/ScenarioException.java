package dev.sweep.campaign;

/** A scenario file that cannot be used, with the file, row and field that are wrong. */
public final class ScenarioException extends RuntimeException {
    public ScenarioException(String message) {
        super(message);
    }

    static ScenarioException at(String file, int row, String field, String problem) {
        return new ScenarioException(file + " row " + row + ", field " + field + ": " + problem);
    }
}
