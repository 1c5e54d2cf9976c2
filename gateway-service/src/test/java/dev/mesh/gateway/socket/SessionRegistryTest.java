package dev.mesh.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.UserRef;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** How the registry finds a delivery's audience, given–when–then. */
class SessionRegistryTest {

    private final SessionRegistry registry = new SessionRegistry(new SimpleMeterRegistry());

    @Test
    void givenAnAttachedSession_whenAskedForItsAudiences_thenTopicUserAndSessionHeadersMatch() {
        ClientSession alan = authenticated("s1", "alan");
        registry.attach(alan, "chat:room:r1", 1);

        assertThat(registry.hasAudience("topic:chat:room:r1")).isTrue();
        assertThat(registry.hasAudience("user:alan")).isTrue();
        assertThat(registry.hasAudience("session:s1")).isTrue();
        assertThat(registry.hasAudience("all:")).isTrue();
        assertThat(registry.hasAudience("topic:chat:room:r2")).isFalse();
        assertThat(registry.hasAudience("user:barbara")).isFalse();
        assertThat(registry.hasAudience("nonsense")).isFalse();
        assertThat(registry.audience(Delivery.Audience.topic("chat:room:r1"))).containsExactly(alan);
    }

    @Test
    void givenASessionOnTwoTopics_whenItIsUnregistered_thenNoIndexKeepsIt() {
        ClientSession alan = authenticated("s1", "alan");
        registry.attach(alan, "chat:room:r1", 1);
        registry.attach(alan, "chat:room:r2", 1);

        registry.unregister(alan);

        assertThat(registry.hasAudience("topic:chat:room:r1")).isFalse();
        assertThat(registry.hasAudience("topic:chat:room:r2")).isFalse();
        assertThat(registry.hasAudience("user:alan")).isFalse();
        assertThat(registry.size()).isZero();
    }

    @Test
    void givenTwoDevicesOfOneUser_whenOneDetachesFromARoom_thenTheOtherStillReceivesIt() {
        ClientSession phone = authenticated("s1", "alan");
        ClientSession laptop = authenticated("s2", "alan");
        registry.attach(phone, "chat:room:r1", 1);
        registry.attach(laptop, "chat:room:r1", 1);

        registry.detach(phone, "chat:room:r1");

        assertThat(registry.ofTopic("chat:room:r1")).containsExactly(laptop);
        assertThat(registry.ofUser("alan")).containsExactlyInAnyOrder(phone, laptop);
    }

    /** The topic index's cursor is the session's own: what one path sends, the other counts as sent. */
    @Test
    void givenAReplayToTheSessionUpToFive_whenItAttachesFromSix_thenTheIndexCursorDropsFiveAndSendsSix() {
        ClientSession alan = authenticated("s1", "alan");
        assertThat(alan.offerSeq("chat:room:r1", 5, false)).isEqualTo(ClientSession.SeqVerdict.SEND);

        registry.attach(alan, "chat:room:r1", 6);
        SessionRegistry.Attached[] attached = registry.attachedTo("chat:room:r1");

        assertThat(attached).extracting(SessionRegistry.Attached::session).containsExactly(alan);
        assertThat(attached[0].cursor().offerAttached(5)).isEqualTo(ClientSession.SeqVerdict.DUPLICATE);
        assertThat(attached[0].cursor().offerAttached(6)).isEqualTo(ClientSession.SeqVerdict.SEND);
        assertThat(alan.offerSeq("chat:room:r1", 6, true)).isEqualTo(ClientSession.SeqVerdict.DUPLICATE);
        assertThat(attached[0].cursor().offerAttached(8)).isEqualTo(ClientSession.SeqVerdict.GAP);
    }

    @Test
    void givenASessionDetachedAfterAGap_whenItAttachesAgain_thenTheIndexHoldsItOnceWithItsNewCursor() {
        ClientSession alan = authenticated("s1", "alan");
        ClientSession barbara = authenticated("s2", "barbara");
        registry.attach(alan, "chat:room:r1", 1);
        registry.attach(barbara, "chat:room:r1", 1);
        registry.detach(alan, "chat:room:r1");

        registry.attach(alan, "chat:room:r1", 10);
        registry.attach(alan, "chat:room:r1", 10); // a repeated attach changes nothing

        SessionRegistry.Attached[] attached = registry.attachedTo("chat:room:r1");
        assertThat(attached).extracting(SessionRegistry.Attached::session).containsExactly(barbara, alan);
        assertThat(attached[1].cursor().offerAttached(10)).isEqualTo(ClientSession.SeqVerdict.SEND);
        assertThat(registry.attachedTo("chat:room:r2")).isEmpty();
    }

    @Test
    void givenALimitOfTwoPerAddress_whenAThirdArrives_thenItIsRefusedUntilOneLeaves() {
        assertThat(registry.admit("10.0.0.7", 2)).isTrue();
        assertThat(registry.admit("10.0.0.7", 2)).isTrue();
        assertThat(registry.admit("10.0.0.7", 2)).isFalse();

        registry.release("10.0.0.7");

        assertThat(registry.admit("10.0.0.7", 2)).isTrue();
    }

    private ClientSession authenticated(String id, String user) {
        ClientSession session = new ClientSession(id, "127.0.0.1", 1 << 20, code -> { });
        session.authenticate(new UserRef(user, user, List.of("student")), Long.MAX_VALUE);
        registry.register(session);
        return session;
    }
}
