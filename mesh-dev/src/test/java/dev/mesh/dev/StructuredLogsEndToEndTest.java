package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.WAIT;
import static dev.mesh.dev.TestMesh.text;
import static dev.mesh.dev.TestMesh.ws;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.logging.logback.StructuredLogEncoder;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * The production log format on the running mesh: the encoder Spring Boot's console appender uses
 * when {@code LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs} (what the prod overlay sets) is attached to
 * the mesh's logs, with {@code dev.mesh} at DEBUG, while a client posts a message, has a command
 * rejected and another client presents a forged token. Every line must be one JSON object, the
 * lines about the rejected command must carry its trace id, and no line may contain the
 * message's content or any token.
 */
class StructuredLogsEndToEndTest {

    private final TestMesh mesh = TestMesh.get();

    /** Lines as the encoder writes them, bounded. */
    private static final class Capture extends AppenderBase<ILoggingEvent> {
        final StructuredLogEncoder encoder = new StructuredLogEncoder();
        final List<String> lines = new ArrayList<>();

        @Override
        protected void append(ILoggingEvent event) {
            if (lines.size() < 50_000) {
                lines.add(new String(encoder.encode(event), StandardCharsets.UTF_8));
            }
        }

        List<String> lines() {
            // AppenderBase appends under the appender's own lock: copy under it.
            synchronized (this) {
                return List.copyOf(lines);
            }
        }
    }

    @Test
    void productionLinesAreJsonWithTheCommandsTraceIdAndNeverMessageContentOrTokens() throws Exception {
        Path overlay = Path.of("..", "k8s", "overlays", "prod", "kustomization.yaml");
        if (Files.exists(overlay)) {
            assertThat(Files.readString(overlay)).as("the prod overlay's log format").contains("LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs");
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger meshLogger = context.getLogger("dev.mesh");
        Level level = meshLogger.getLevel();
        Capture capture = new Capture();
        capture.setContext(context);
        capture.encoder.setContext(context);
        capture.encoder.setFormat("ecs");
        capture.encoder.start();
        capture.start();

        String secret = "secret content " + UUID.randomUUID();
        String token = TestMesh.token("log-" + UUID.randomUUID().toString().substring(0, 8), "student");
        String forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA" + token.substring(token.lastIndexOf('.') + 5);
        String rejected;
        meshLogger.setLevel(Level.DEBUG);
        root.addAppender(capture);
        try (WsTestClient client = WsTestClient.connect(ws(mesh.gateway1), Map.of("Authorization", "Bearer " + token))) {
            client.await(f -> "welcome".equals(text(f, "type")), WAIT);
            TestMesh.join(client);
            String posted = client.sendCommand("chat:message", Map.of("roomId", mesh.roomId, "content", secret));
            assertThat(text(client.awaitReply(posted, WAIT), "type")).isEqualTo("ack");
            // An edit of a message that does not exist: rejected by chat-service, logged at DEBUG.
            rejected = client.sendCommand("chat:edit", Map.of("roomId", mesh.roomId, "messageId", UUID.randomUUID().toString(),
                    "content", secret));
            assertThat(text(client.awaitReply(rejected, WAIT), "type")).isEqualTo("error");
            try (WsTestClient intruder = WsTestClient.connect(ws(mesh.gateway2))) {
                intruder.send(Map.of("type", "auth", "data", Map.of("token", forged)));
                assertThat(intruder.awaitClose(WAIT).code()).isEqualTo(4001);
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (capture.lines().stream().noneMatch(l -> l.contains(rejected)) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } finally {
            root.detachAppender(capture);
            meshLogger.setLevel(level);
            capture.stop();
        }

        List<String> lines = capture.lines();
        assertThat(lines).isNotEmpty();
        List<JsonNode> parsed = new ArrayList<>();
        for (String line : lines) {
            assertThat(line).as("one line per event").endsWith("\n");
            assertThat(line.strip()).as("one line per event").doesNotContain("\n");
            JsonNode json = MeshJson.read(line, JsonNode.class);
            assertThat(json.isObject()).as(line).isTrue();
            assertThat(json.has("@timestamp") && json.has("message")).as(line).isTrue();
            parsed.add(json);
            assertThat(line).as("no message content").doesNotContain(secret);
            assertThat(line).as("no token").doesNotContain(token).doesNotContain(forged)
                    .doesNotContain(token.substring(token.lastIndexOf('.') + 1));
        }
        List<JsonNode> aboutRejected = parsed.stream().filter(j -> j.toString().contains(rejected)).toList();
        assertThat(aboutRejected).as("lines about the rejected command").isNotEmpty()
                .allSatisfy(j -> assertThat(traceId(j)).as(j.toString()).isNotBlank());
        System.out.printf("structured logs: %d lines, all JSON; %d about the rejected command, with trace id %s; e.g. %s%n",
                lines.size(), aboutRejected.size(), traceId(aboutRejected.getFirst()), aboutRejected.getFirst());
    }

    /** The trace id of an ECS line: Boot writes it as {@code trace.id} (or the MDC's {@code traceId}). */
    private static String traceId(JsonNode line) {
        JsonNode nested = line.path("trace").path("id");
        if (nested.isString()) {
            return nested.asString();
        }
        for (String key : List.of("trace.id", "traceId")) {
            if (line.path(key).isString()) {
                return line.path(key).asString();
            }
        }
        return null;
    }
}
