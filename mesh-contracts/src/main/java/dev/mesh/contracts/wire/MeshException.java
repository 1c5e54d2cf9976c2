package dev.mesh.contracts.wire;

import tools.jackson.databind.JsonNode;

/**
 * A rejection with a code from the closed list and a human sentence. Domain rules throw it;
 * the command pipeline turns it into an {@code error} reply, the HTTP layer into
 * problem+json. The message is shown to users, so it never carries internals.
 */
public class MeshException extends RuntimeException {

    private final ErrorCode code;
    private final transient JsonNode data;

    public MeshException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public MeshException(ErrorCode code, String message, JsonNode data) {
        super(message, null, false, false);
        this.code = code;
        this.data = data;
    }

    public ErrorCode code() {
        return code;
    }

    public JsonNode data() {
        return data;
    }

    public static MeshException validation(String message) {
        return new MeshException(ErrorCode.VALIDATION, message);
    }

    public static MeshException notFound(String message) {
        return new MeshException(ErrorCode.NOT_FOUND, message);
    }

    public static MeshException forbidden(String message) {
        return new MeshException(ErrorCode.FORBIDDEN, message);
    }

    public static MeshException conflict(String message) {
        return new MeshException(ErrorCode.CONFLICT, message);
    }
}
