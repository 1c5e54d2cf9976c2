package dev.mesh.contracts.wire;

/**
 * The closed list of error codes (ARCHITECTURE §4), with the HTTP status each maps to.
 * Messages that accompany them are human sentences and never leak internals.
 */
public enum ErrorCode {
    UNAUTHENTICATED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    VALIDATION(400),
    RATE_LIMITED(429),
    CONFLICT(409),
    UNAVAILABLE(503),
    INTERNAL(500);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
