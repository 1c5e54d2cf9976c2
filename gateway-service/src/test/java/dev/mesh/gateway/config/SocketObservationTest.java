package dev.mesh.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;

import io.micrometer.observation.ObservationPredicate;

/** Socket upgrades are not HTTP observations (they would live as long as the socket); other requests are. */
class SocketObservationTest {

    private final ObservationPredicate predicate = new WebSocketConfiguration().socketUpgradesAreNotObserved();

    @Test
    void givenTheSocketEndpoints_whenTheirUpgradeIsObserved_thenItIsNot() {
        assertThat(predicate.test("http.server.requests", request("/ws"))).isFalse();
        assertThat(predicate.test("http.server.requests", request("/socket.io/"))).isFalse();
    }

    @Test
    void givenAnHttpApiCall_whenObserved_thenItIs() {
        assertThat(predicate.test("http.server.requests", request("/api/chat/rooms"))).isTrue();
        assertThat(predicate.test("http.server.requests", request("/wsx"))).isTrue();
    }

    private static ServerRequestObservationContext request(String path) {
        return new ServerRequestObservationContext(MockServerHttpRequest.get(path).build(), new MockServerHttpResponse(), Map.of());
    }
}
