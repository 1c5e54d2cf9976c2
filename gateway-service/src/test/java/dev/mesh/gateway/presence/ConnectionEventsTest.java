package dev.mesh.gateway.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.presence.ConnectionEvent;
import dev.mesh.gateway.socket.ClientSession;
import dev.mesh.gateway.socket.SessionRegistry;
import dev.mesh.gateway.socket.TestSessions;
import dev.mesh.runtime.kafka.KafkaPublisher;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** SessionOpened/Active/Closed on gateway.connections: throttle, order, failures, silence; given–when–then. */
class ConnectionEventsTest {

    private static final GatewayIdentity GATEWAY = new GatewayIdentity("gw-1", "boot-1");

    private final MutableClock clock = new MutableClock(1_000_000);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private ConnectionEvents events(KafkaPublisher kafka) {
        return new ConnectionEvents(new PresencePublisher(kafka, meters), GATEWAY, Duration.ofSeconds(30), clock);
    }

    @Test
    void givenASessionActiveAtT_whenFramesAtTPlus1sAndTPlus31s_thenExactlyTwoActiveEvents() {
        FakeKafka kafka = new FakeKafka(true);
        ConnectionEvents events = events(kafka);
        ClientSession alan = TestSessions.authenticated("s1", "alan");
        events.opened(alan);
        long t = clock.millis();

        events.active(alan);
        clock.advanceMillis(1_000);
        events.active(alan);
        clock.advanceMillis(30_000);
        events.active(alan);

        assertThat(kafka.types()).containsExactly(ConnectionEvent.OPENED, ConnectionEvent.ACTIVE, ConnectionEvent.ACTIVE);
        assertThat(kafka.sent.stream().map(s -> s.event().at()).toList()).containsExactly(t, t, t + 31_000);
        assertThat(meters.counter("mesh.gateway.connection.events", "type", ConnectionEvent.ACTIVE).count()).isEqualTo(2);
    }

    @Test
    void givenTwoSessions_whenBothAreBusy_thenEachIsThrottledOnItsOwn() {
        FakeKafka kafka = new FakeKafka(true);
        ConnectionEvents events = events(kafka);
        ClientSession phone = TestSessions.authenticated("s1", "alan");
        ClientSession laptop = TestSessions.authenticated("s2", "alan");
        events.opened(phone);
        events.opened(laptop);

        events.active(phone);
        events.active(laptop);
        clock.advanceMillis(29_999);
        events.active(phone);
        events.active(laptop);

        assertThat(kafka.sent.stream().filter(s -> s.event().type().equals(ConnectionEvent.ACTIVE))
                .map(s -> s.event().sessionId()).toList()).containsExactly("s1", "s2");
    }

    @Test
    void givenAnEvent_whenSent_thenItIsTheContractRecordKeyedByUserOnGatewayConnections() {
        FakeKafka kafka = new FakeKafka(true);
        ConnectionEvents events = events(kafka);

        events.opened(TestSessions.authenticated("s1", "alan"));

        FakeKafka.Sent sent = kafka.sent.getFirst();
        assertThat(sent.topic()).isEqualTo(Topics.GATEWAY_CONNECTIONS);
        assertThat(sent.key()).isEqualTo("alan");
        assertThat(sent.event()).isEqualTo(new ConnectionEvent(ConnectionEvent.OPENED, "s1", "alan", "ALAN", "gw-1",
                "boot-1", clock.millis()));
    }

    @Test
    void givenASlowBroker_whenOpenedActiveClosedFollowAtOnce_thenEachWaitsForThePreviousAnswer() {
        FakeKafka kafka = new FakeKafka(false);
        ConnectionEvents events = events(kafka);
        ClientSession alan = TestSessions.authenticated("s1", "alan");

        events.opened(alan);
        events.active(alan);
        events.closed(alan);

        assertThat(kafka.types()).containsExactly(ConnectionEvent.OPENED);
        kafka.answer(0);
        assertThat(kafka.types()).containsExactly(ConnectionEvent.OPENED, ConnectionEvent.ACTIVE);
        kafka.answer(1);
        assertThat(kafka.types()).containsExactly(ConnectionEvent.OPENED, ConnectionEvent.ACTIVE, ConnectionEvent.CLOSED);
        kafka.answer(2);
        assertThat(events.awaitClosedAndSent(Duration.ZERO)).isTrue();
    }

    @Test
    void givenAFailedSend_whenMoreEventsAreQueued_thenTheyStillGoOutAndTheFailureIsCounted() {
        FakeKafka kafka = new FakeKafka(false);
        ConnectionEvents events = events(kafka);
        ClientSession alan = TestSessions.authenticated("s1", "alan");

        events.opened(alan);
        events.closed(alan);
        kafka.fail(0);

        assertThat(kafka.types()).containsExactly(ConnectionEvent.OPENED, ConnectionEvent.CLOSED);
        assertThat(meters.counter("mesh.gateway.connection.events.failed", "type", ConnectionEvent.OPENED).count())
                .isEqualTo(1);
    }

    @Test
    void givenAPublisherThatAnswersFromAPoolInRandomTime_whenManyEventsAreIssued_thenKafkaGetsThemInOrder()
            throws InterruptedException {
        // Like KafkaPublisher: every send on boundedElastic, answered after a random delay.
        List<String> handedOver = java.util.Collections.synchronizedList(new ArrayList<>());
        KafkaPublisher pooled = new KafkaPublisher(null) {
            @Override
            public Mono<org.springframework.kafka.support.SendResult<String, String>> send(String topic, String key,
                                                                                             String value, String audience) {
                return Mono.fromRunnable(() -> handedOver.add(value))
                        .delayElement(Duration.ofMillis(ThreadLocalRandom.current().nextInt(3)))
                        .then(Mono.delay(Duration.ofMillis(ThreadLocalRandom.current().nextInt(3))))
                        .then(Mono.<org.springframework.kafka.support.SendResult<String, String>>empty())
                        .subscribeOn(Schedulers.boundedElastic());
            }
        };
        ConnectionEvents events = new ConnectionEvents(new PresencePublisher(pooled, meters), GATEWAY, Duration.ZERO, clock);
        ClientSession alan = TestSessions.authenticated("s1", "alan");

        events.opened(alan);
        for (int i = 0; i < 50; i++) {
            clock.advanceMillis(1);
            events.active(alan);
        }
        events.closed(alan);

        assertThat(events.awaitClosedAndSent(Duration.ofSeconds(10))).isTrue();
        List<ConnectionEvent> sent = handedOver.stream()
                .map(v -> dev.mesh.contracts.MeshJson.mapper().readValue(v, ConnectionEvent.class)).toList();
        assertThat(sent).hasSize(52);
        assertThat(sent.getFirst().type()).isEqualTo(ConnectionEvent.OPENED);
        assertThat(sent.getLast().type()).isEqualTo(ConnectionEvent.CLOSED);
        assertThat(sent.stream().map(ConnectionEvent::at).toList()).isSorted();
    }

    @Test
    void givenSilence_whenTheSessionCloses_thenNoSessionClosedIsSent() {
        FakeKafka kafka = new FakeKafka(true);
        ConnectionEvents events = events(kafka);
        ClientSession alan = TestSessions.authenticated("s1", "alan");
        events.opened(alan);

        events.silence();
        events.active(alan);
        events.closed(alan);

        assertThat(kafka.types()).containsExactly(ConnectionEvent.OPENED);
        assertThat(events.awaitClosedAndSent(Duration.ZERO)).isTrue();
    }

    @Test
    void givenARegistryWithTheListener_whenASocketAuthenticatesIsActiveAndEnds_thenOpenedActiveClosedOnce() {
        FakeKafka kafka = new FakeKafka(true);
        ConnectionEvents events = events(kafka);
        SessionRegistry registry = new SessionRegistry(meters, List.of(events));
        ClientSession alan = TestSessions.authenticated("s1", "alan");
        ClientSession stranger = TestSessions.authenticated("s2", "eve");

        registry.active(stranger); // never registered (e.g. not yet welcomed): no event
        registry.register(alan);
        registry.active(alan);
        registry.unregister(alan);
        registry.unregister(alan);
        registry.active(alan);

        assertThat(kafka.types()).containsExactly(ConnectionEvent.OPENED, ConnectionEvent.ACTIVE, ConnectionEvent.CLOSED);
    }

    @Test
    void givenAHeartbeatTicker_whenSilenced_thenNoMoreHeartbeats() throws InterruptedException {
        FakeKafka kafka = new FakeKafka(true);
        PresencePublisher publisher = new PresencePublisher(kafka, meters);
        InstanceHeartbeats heartbeats = new InstanceHeartbeats(publisher, GATEWAY, () -> 3, null,
                Duration.ofMillis(20), clock);

        heartbeats.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (kafka.sent.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        publisher.silence();
        int afterSilence = kafka.sent.size();
        Thread.sleep(100);
        heartbeats.stop();

        assertThat(afterSilence).isGreaterThanOrEqualTo(2);
        assertThat(kafka.sent).hasSize(afterSilence);
        assertThat(kafka.sent.getFirst().topic()).isEqualTo(Topics.GATEWAY_INSTANCES);
        assertThat(kafka.sent.getFirst().key()).isEqualTo("gw-1");
    }
    private static void awaitSends(FakeKafka kafka, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (kafka.sent.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void givenAFailedOpenedWhileTheSocketLives_whenTheBackoffPasses_thenItIsSentAgainAndTheRestFollows() throws InterruptedException {
        FakeKafka kafka = new FakeKafka(false);
        ConnectionEvents events = events(kafka);
        ClientSession alan = TestSessions.authenticated("s1", "alan");

        events.opened(alan);
        kafka.fail(0);
        awaitSends(kafka, 2);
        kafka.answer(1);
        events.closed(alan);
        kafka.answer(2);

        assertThat(kafka.types()).containsExactly(ConnectionEvent.OPENED, ConnectionEvent.OPENED, ConnectionEvent.CLOSED);
        assertThat(kafka.sent.get(1).value()).isEqualTo(kafka.sent.get(0).value());
        assertThat(events.awaitClosedAndSent(Duration.ZERO)).isTrue();
    }

    @Test
    void givenAFailedClosed_whenTheBackoffPasses_thenItIsSentAgain() throws InterruptedException {
        FakeKafka kafka = new FakeKafka(false);
        ConnectionEvents events = events(kafka);
        ClientSession alan = TestSessions.authenticated("s1", "alan");
        events.opened(alan);
        kafka.answer(0);

        events.closed(alan);
        kafka.fail(1);
        awaitSends(kafka, 3);
        kafka.answer(2);

        assertThat(kafka.types()).containsExactly(ConnectionEvent.OPENED, ConnectionEvent.CLOSED, ConnectionEvent.CLOSED);
        assertThat(events.awaitClosedAndSent(Duration.ZERO)).isTrue();
        assertThat(meters.counter("mesh.gateway.connection.events.failed", "type", ConnectionEvent.CLOSED).count()).isEqualTo(1);
    }

    @Test
    void givenOpenAndClosedSockets_whenReannounced_thenEachOpenSocketIsAnnouncedOnceMore() {
        FakeKafka kafka = new FakeKafka(true);
        ConnectionEvents events = events(kafka);
        ClientSession alan = TestSessions.authenticated("s1", "alan");
        ClientSession bob = TestSessions.authenticated("s2", "bob");
        events.opened(alan);
        events.opened(bob);
        events.closed(bob);
        clock.advanceMillis(60_000);

        int announced = events.reannounce();

        assertThat(announced).isEqualTo(1);
        assertThat(kafka.types()).containsExactly(ConnectionEvent.OPENED, ConnectionEvent.OPENED, ConnectionEvent.CLOSED,
                ConnectionEvent.OPENED);
        ConnectionEvent again = kafka.sent.getLast().event();
        assertThat(again.sessionId()).isEqualTo("s1");
        assertThat(again.at()).isEqualTo(clock.millis());
    }

    @Test
    void givenHeartbeatsThatWentThroughLate_whenOneArrivesAfterASilence_thenOpenSocketsAreAnnouncedAgain() {
        FakeKafka kafka = new FakeKafka(true);
        ConnectionEvents events = events(kafka);
        InstanceHeartbeats heartbeats = new InstanceHeartbeats(new PresencePublisher(kafka, meters), GATEWAY, () -> 1, events,
                Duration.ofSeconds(5), clock);
        events.opened(TestSessions.authenticated("s1", "alan"));
        long start = clock.millis();

        heartbeats.wentThrough(start);
        clock.advanceMillis(5_100);
        heartbeats.wentThrough(start + 5_000); // on time: nothing
        int onTime = kafka.sent.size();
        clock.advanceMillis(12_000); // the beat made at +10 s went through at +17 s
        heartbeats.wentThrough(start + 10_000);

        assertThat(onTime).isEqualTo(1);
        assertThat(kafka.types()).containsExactly(ConnectionEvent.OPENED, ConnectionEvent.OPENED);
    }
}
