package dev.mesh.testkit.ws;

/** The server answered the WebSocket upgrade with an HTTP status instead of switching protocols. */
public final class WsUpgradeRejected extends RuntimeException {

    private final int status;

    public WsUpgradeRejected(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
