package dev.mesh.gateway.socket;

import java.util.List;

import dev.mesh.contracts.kafka.UserRef;

/** Authenticated sessions for tests outside this package (authentication is package-private). */
public final class TestSessions {

    private TestSessions() {
    }

    public static ClientSession authenticated(String sessionId, String userId) {
        ClientSession session = new ClientSession(sessionId, "127.0.0.1", 1 << 20, code -> { });
        session.authenticate(new UserRef(userId, userId.toUpperCase(), List.of("student")), Long.MAX_VALUE);
        return session;
    }
}
