package dev.mesh.testkit.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import dev.mesh.contracts.MeshJson;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;
import tools.jackson.databind.JsonNode;

class WsTestClientTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static DisposableServer server;
    private static String base;

    @BeforeAll
    static void startServer() {
        WebsocketServerSpec spec = WebsocketServerSpec.builder().maxFramePayloadLength(2 * 1024 * 1024).build();
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes
                        // Echoes every frame (binary ones as their size); a frame with an id also gets an ack.
                        .ws("/echo", (in, out) -> out.sendString(in.aggregateFrames(2 * 1024 * 1024).receiveFrames()
                                .map(frame -> frame instanceof TextWebSocketFrame text ? text.text() : "binary:" + frame.content().readableBytes())
                                .concatMap(WsTestClientTest::echo)), spec)
                        .ws("/expire", (in, out) -> out.sendString(Mono.just("{\"type\":\"welcome\"}"))
                                .then(out.sendClose(4001, "token expired")))
                        // Drops the TCP connection without a close frame.
                        .ws("/drop", (in, out) -> out.sendString(Mono.just("{\"type\":\"welcome\"}"))
                                .then(Mono.<Void>fromRunnable(() -> in.withConnection(c -> c.channel().close()))))
                        .get("/forbidden", (request, response) -> response.status(HttpResponseStatus.FORBIDDEN).send()))
                .bindNow();
        base = "ws://127.0.0.1:" + server.port();
    }

    private static Flux<String> echo(String text) {
        if (text.startsWith("{") && text.contains("\"id\"")) {
            String id = MeshJson.mapper().readTree(text).get("id").asString();
            return Flux.just(text, "{\"type\":\"ack\",\"ref\":\"" + id + "\"}");
        }
        return Flux.just(text);
    }

    @AfterAll
    static void stopServer() {
        server.disposeNow();
    }

    @Test
    void framesComeBackParsedInArrivalOrder() {
        try (WsTestClient client = WsTestClient.connect(base + "/echo", Map.of("X-Test", "1"))) {
            assertThat(client.isOpen()).isTrue();
            client.send(Map.of("type", "first"));
            client.send("not json");
            client.send(Map.of("type", "second"));

            // Skipped frames stay for later awaits.
            assertThat(client.await(f -> f.path("type").asString("").equals("second"), WAIT).get("type").asString()).isEqualTo("second");
            assertThat(client.await(JsonNode::isString, WAIT).asString()).isEqualTo("not json");
            assertThat(client.await(f -> f.path("type").asString("").equals("first"), WAIT)).isNotNull();
            assertThat(client.received()).hasSize(3);

            String ref = client.sendCommand("chat:send", Map.of("text", "hi"));
            JsonNode ack = client.awaitReply(ref, WAIT);
            assertThat(ack.get("type").asString()).isEqualTo("ack");
            assertThat(client.received()).hasSize(5);
        }
    }

    @Test
    void largeTextAndBinaryFramesGoOut() {
        try (WsTestClient client = WsTestClient.connect(base + "/echo", Map.of())) {
            String large = "x".repeat(1024 * 1024);
            client.send(large);
            assertThat(client.await(f -> f.isString() && f.asString().length() == large.length(), WAIT)).isNotNull();

            client.sendBinary(new byte[] {1, 2, 3});
            assertThat(client.await(f -> f.isString() && f.asString().equals("binary:3"), WAIT)).isNotNull();
        }
    }

    @Test
    void awaitFailsWithTheFramesSeenSoFar() {
        try (WsTestClient client = WsTestClient.connect(base + "/echo", Map.of())) {
            client.send(Map.of("type", "only"));
            client.await(f -> true, WAIT);
            assertThatThrownBy(() -> client.await(f -> false, Duration.ofMillis(200)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("only");
        }
    }

    @Test
    void aServerCloseIsSeenWithItsCode() {
        WsTestClient client = WsTestClient.connect(base + "/expire", Map.of());
        assertThat(client.await(f -> f.path("type").asString("").equals("welcome"), WAIT)).isNotNull();

        WsTestClient.CloseStatus status = client.awaitClose(WAIT);

        assertThat(status).isEqualTo(new WsTestClient.CloseStatus(4001, "token expired"));
        assertThat(client.isOpen()).isFalse();
        assertThatThrownBy(() -> client.send("too late")).isInstanceOf(IllegalStateException.class);
        client.close();
    }

    @Test
    void aDroppedConnectionClosesWithoutACode() {
        try (WsTestClient client = WsTestClient.connect(base + "/drop", Map.of())) {
            assertThat(client.awaitClose(WAIT).code()).isEqualTo(-1);
            // Frames that arrived before the drop are still there; waiting for more fails at once.
            assertThat(client.await(f -> f.path("type").asString("").equals("welcome"), WAIT)).isNotNull();
            long started = System.nanoTime();
            assertThatThrownBy(() -> client.await(f -> true, WAIT)).hasMessageContaining("before the connection closed");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void aRefusedUpgradeThrowsWithTheStatus() {
        assertThatThrownBy(() -> WsTestClient.connect(base + "/forbidden", Map.of()))
                .isInstanceOfSatisfying(WsUpgradeRejected.class, e -> assertThat(e.status()).isEqualTo(403));
    }
}
