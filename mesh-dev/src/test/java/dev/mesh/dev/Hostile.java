package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.HTTP;
import static dev.mesh.dev.TestMesh.http;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * What the hostile-input tests ({@code BadInputCorpusTest}, {@code FrameFuzzTest},
 * {@code AuthAttacksTest}) check on every answer: no internals leak (no exception names,
 * stack frames or SQL in a frame or body), no 5xx, and helpers to send any HTTP request.
 */
final class Hostile {

    static final Duration WAIT = TestMesh.WAIT;

    /** What a response must never show: a Java exception or stack frame, SQL driver internals. */
    private static final Pattern LEAK = Pattern.compile(
            "Exception|\\bat (dev\\.mesh|java\\.|org\\.|reactor\\.|io\\.netty)|SQLSTATE|org\\.postgresql|io\\.r2dbc|Caused by");

    private static int gateway;

    private Hostile() {
    }

    /**
     * A gateway of the shared mesh whose rate limits are out of the way (they are not what
     * these tests probe): every hostile frame reaches its parser and its service.
     */
    static synchronized int gateway() {
        if (gateway == 0) {
            gateway = MeshLauncher.localPort(TestMesh.get().mesh.startGateway("gateway-hostile", 0,
                    "--mesh.gateway.rate-limits.connection-burst=1000000",
                    "--mesh.gateway.rate-limits.connection-per-second=1000000",
                    "--mesh.gateway.rate-limits.user-message-burst=1000000",
                    "--mesh.gateway.rate-limits.user-messages-per-minute=1000000"));
        }
        return gateway;
    }

    static boolean leaks(String text) {
        return text != null && LEAK.matcher(text).find();
    }

    /** No frame the client received shows internals or is an {@code INTERNAL} error. */
    static void assertNothingLeaked(WsTestClient client) {
        for (JsonNode frame : client.received()) {
            assertThat(leaks(frame.toString())).as("frame leaks internals: %s", frame).isFalse();
            assertThat(TestMesh.text(frame, "code")).as("a 5xx-like error: %s", frame).isNotEqualTo("INTERNAL");
        }
    }

    static HttpResponse<String> send(int port, String method, String path, String token, String body) throws Exception {
        return send(port, method, path, token, body, "application/json");
    }

    static HttpResponse<String> send(int port, String method, String path, String token, String body, String contentType)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(http(port) + path)).timeout(WAIT);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", contentType);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The response is no 5xx and its body leaks nothing. */
    static HttpResponse<String> assertHealthy(HttpResponse<String> response, String what) {
        assertThat(response.statusCode()).as("%s → %s %s", what, response.statusCode(), response.body()).isLessThan(500);
        assertThat(leaks(response.body())).as("%s leaks internals: %s", what, response.body()).isFalse();
        return response;
    }

    /** The RFC 9457 {@code code} member of a problem body. */
    static String problemCode(HttpResponse<String> response) {
        try {
            JsonNode body = MeshJson.read(response.body(), JsonNode.class);
            return TestMesh.text(body, "code");
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        return MeshJson.read(response.body(), JsonNode.class);
    }

    /** A fresh client still gets its welcome and a working {@code chat:join}: the gateway is healthy for the next one. */
    static void assertANewClientIsServed(int port, String user) {
        try (WsTestClient fresh = TestMesh.connectWithHeader(port, user)) {
            String id = fresh.sendCommand("chat:join", Map.of("roomId", TestMesh.get().roomId));
            assertThat(TestMesh.text(fresh.awaitReply(id, WAIT), "type")).isEqualTo("ack");
        }
    }

    static String nested(int depth, String open, String leaf, String close) {
        return open.repeat(depth) + leaf + close.repeat(depth);
    }

    static List<String> lines(String text) {
        return text.lines().toList();
    }
}
