package dev.mesh.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.gateway.config.GatewayProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** A gateway cut off from Kafka sends its clients elsewhere, given–when–then with a moved clock. */
class KafkaReachabilityTest {

    private Instant now = Instant.parse("2026-11-22T10:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final List<Integer> closes = new ArrayList<>();
    private final SessionRegistry registry = new SessionRegistry(new SimpleMeterRegistry(), List.of());
    private final KafkaReachability reachability = new KafkaReachability(() -> registry, properties(), clock);

    private static GatewayProperties properties() {
        return new GatewayProperties(List.of(), null, null, null, null, null, 0, Duration.ofSeconds(2), null, null,
                Duration.ofSeconds(10), null, null, null, null);
    }

    private void connect(String id) {
        ClientSession session = new ClientSession(id, "127.0.0.1", 1 << 20, closes::add);
        session.authenticate(new UserRef("u-" + id, "u", List.of()), Long.MAX_VALUE);
        registry.register(session);
    }

    @Test
    void givenARecentSend_whenChecked_thenNothingHappens() {
        connect("s1");
        now = now.plusSeconds(9);
        reachability.sent();
        now = now.plusSeconds(9);

        reachability.check();

        assertThat(closes).isEmpty();
        assertThat(reachability.health().getStatus().getCode()).isEqualTo("UP");
    }

    @Test
    void givenNoSendForMoreThanTenSeconds_whenChecked_thenEverySocketIsClosedWith1012OnceAndReadinessIsDown() {
        connect("s1");
        connect("s2");
        now = now.plusSeconds(11);

        reachability.check();
        reachability.check();

        assertThat(closes).containsExactly(1012, 1012);
        assertThat(reachability.health().getStatus().getCode()).isEqualTo("DOWN");
    }

    @Test
    void givenACutOff_whenASendSucceedsAgain_thenTheGatewayIsReadyAgain() {
        now = now.plusSeconds(11);
        reachability.check();

        reachability.sent();

        assertThat(reachability.isCutOff()).isFalse();
        assertThat(reachability.health().getStatus().getCode()).isEqualTo("UP");
    }
}
