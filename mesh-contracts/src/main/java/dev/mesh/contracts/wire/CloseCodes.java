package dev.mesh.contracts.wire;

/** WebSocket close codes of the protocol (ARCHITECTURE §4). */
public final class CloseCodes {
    public static final int NORMAL = 1000;
    public static final int BINARY_NOT_ACCEPTED = 1003;
    public static final int INVALID_UTF8 = 1007;
    public static final int POLICY = 1008;
    public static final int TOO_BIG = 1009;
    public static final int INTERNAL = 1011;
    public static final int SERVICE_RESTART = 1012;
    public static final int TRY_AGAIN_LATER = 1013;
    public static final int AUTH_FAILED = 4001;
    public static final int FORBIDDEN = 4003;

    private CloseCodes() {
    }
}
