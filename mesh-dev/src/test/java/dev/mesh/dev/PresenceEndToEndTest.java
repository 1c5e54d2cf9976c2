package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.HTTP;
import static dev.mesh.dev.TestMesh.WAIT;
import static dev.mesh.dev.TestMesh.connectWithHeader;
import static dev.mesh.dev.TestMesh.http;
import static dev.mesh.dev.TestMesh.join;
import static dev.mesh.dev.TestMesh.text;
import static dev.mesh.dev.TestMesh.token;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.gateway.presence.ConnectionEvents;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * Presence across gateway instances, observed the way a client observes it: through
 * {@code presence:changed} frames on a subscriber's socket. Users are fresh per test so the
 * other end-to-end tests' sockets do not blur the picture.
 */
class PresenceEndToEndTest {

    private static TestMesh shared;

    @BeforeAll
    static void startMesh() {
        shared = TestMesh.get();
    }

    @Test
    void aUserWithTwoDevicesStaysOnlineUntilBothCloseAndGoesOfflineOnlyAfterTheGracePeriod() throws Exception {
        String user = fresh("ana");
        try (WsTestClient observer = connectWithHeader(shared.gateway1, fresh("observer"));
             WsTestClient phone = connectWithHeader(shared.gateway1, user);
             WsTestClient laptop = connectWithHeader(shared.gateway2, user)) {
            join(observer);
            join(phone);
            subscribe(observer, user);

            phone.close();
            Thread.sleep(7_000);
            assertThat(offlineFramesFor(observer, user)).as("one device left, still online").isEmpty();

            long closedAt = System.currentTimeMillis();
            laptop.close();
            observer.await(f -> isPresence(f, user, "offline"), WAIT);
            long afterMs = System.currentTimeMillis() - closedAt;
            System.out.printf("presence: offline %d ms after the last socket closed%n", afterMs);
            assertThat(afterMs).as("offline only after the 5 s grace period").isGreaterThanOrEqualTo(4_500);
        }
    }

    @Test
    void aReconnectWithinTheGracePeriodNeverShowsTheUserOffline() throws Exception {
        String user = fresh("bea");
        try (WsTestClient observer = connectWithHeader(shared.gateway1, fresh("observer"))) {
            join(observer);
            try (WsTestClient first = connectWithHeader(shared.gateway1, user)) {
                join(first);
                subscribe(observer, user);
            }
            Thread.sleep(1_000);
            try (WsTestClient again = connectWithHeader(shared.gateway2, user)) {
                Thread.sleep(8_000);
                assertThat(offlineFramesFor(observer, user)).as("reconnected within the grace period").isEmpty();
            }
        }
    }

    @Test
    void aCrashedGatewaysUsersGoOfflineWithin12sExceptThoseWhoReconnectedAndNoGhostRemainsAfterItsRestart()
            throws Exception {
        String stayer = fresh("cat");
        String mover = fresh("dan");
        ConfigurableApplicationContext doomed = shared.mesh.startGateway("gateway-crash", 0);
        int doomedPort = MeshLauncher.localPort(doomed);
        try (WsTestClient observer = connectWithHeader(shared.gateway1, fresh("observer"));
             WsTestClient stayerSocket = connectWithHeader(doomedPort, stayer);
             WsTestClient moverSocket = connectWithHeader(doomedPort, mover)) {
            join(observer);
            join(stayerSocket);
            join(moverSocket);
            subscribe(observer, stayer);
            subscribe(observer, mover);

            // The crash: from now on the instance says nothing more — no SessionClosed, no heartbeat.
            doomed.getBean(ConnectionEvents.class).silence();
            long crashedAt = System.currentTimeMillis();
            shared.mesh.stopGateway(doomed);
            Thread.sleep(1_000);
            try (WsTestClient moved = connectWithHeader(shared.gateway2, mover)) {
                observer.await(f -> isPresence(f, stayer, "offline"), WAIT);
                long offlineAfterMs = System.currentTimeMillis() - crashedAt;
                System.out.printf("presence: crash → offline in %d ms%n", offlineAfterMs);
                assertThat(offlineAfterMs).as("offline within 12 s of the crash (plus delivery)").isLessThan(15_000);

                Thread.sleep(3_000);
                assertThat(offlineFramesFor(observer, mover)).as("reconnected elsewhere, never offline").isEmpty();

                // The instance comes back under the same id (a new boot): the old boot's sessions stay closed.
                ConfigurableApplicationContext reborn = shared.mesh.startGateway("gateway-crash", 0);
                try {
                    Thread.sleep(6_000);
                    assertThat(statusOverHttp(observer, stayer)).isEqualTo("offline");
                    assertThat(statusOverHttp(observer, mover)).isNotEqualTo("offline");
                } finally {
                    shared.mesh.stopGateway(reborn);
                }
            }
        }
    }

    @Test
    void subscribingToSomeoneYouShareNoRoomWithIsForbidden() {
        try (WsTestClient observer = connectWithHeader(shared.gateway1, fresh("observer"))) {
            String id = observer.sendCommand("presence:subscribe", Map.of("userIds", List.of(fresh("stranger"))));
            JsonNode reply = observer.awaitReply(id, WAIT);
            assertThat(text(reply, "code")).as(reply.toString()).isEqualTo("FORBIDDEN");
        }
    }

    // helpers

    private static String fresh(String name) {
        return "p-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Subscribes once the two users are known to share the room (the projection follows chat's events). */
    private static JsonNode subscribe(WsTestClient observer, String user) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            String id = observer.sendCommand("presence:subscribe", Map.of("userIds", List.of(user)));
            JsonNode reply = observer.awaitReply(id, WAIT);
            if ("ack".equals(text(reply, "type")) || System.currentTimeMillis() > deadline) {
                assertThat(text(reply, "type")).as(reply.toString()).isEqualTo("ack");
                return reply;
            }
            Thread.sleep(300);
        }
    }

    private static boolean isPresence(JsonNode frame, String user, String status) {
        return "presence:changed".equals(text(frame, "type")) && user.equals(text(frame.path("data"), "userId"))
                && status.equals(text(frame.path("data"), "status"));
    }

    private static List<JsonNode> offlineFramesFor(WsTestClient observer, String user) {
        return observer.received().stream().filter(f -> isPresence(f, user, "offline")).toList();
    }

    private static String statusOverHttp(WsTestClient observer, String user) throws Exception {
        String observerId = observer.received().stream().filter(f -> "welcome".equals(text(f, "type")))
                .findFirst().orElseThrow().path("data").path("userId").asString();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create(http(shared.gateway1) + "/api/presence?userIds=" + user))
                .header("Authorization", "Bearer " + token(observerId, "student")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = MeshJson.read(response.body(), JsonNode.class);
        JsonNode first = body.isArray() ? body.get(0) : body.path("presence").get(0);
        return text(first, "status");
    }
}
