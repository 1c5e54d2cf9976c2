package dev.mesh.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.gateway.config.GatewayProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The gateway's token buckets, given–when–then. The frames of a test are sent within
 * milliseconds, so refills (one token per second at most here) do not blur the counts.
 */
class RateLimitsTest {

    private static RateLimits limits(int connectionBurst, int connectionPerSecond, int messageBurst, int floodFactor) {
        GatewayProperties defaults = new GatewayProperties(List.of(), null, null, null, null, null, 0, null, null, null, null,
                new GatewayProperties.RateLimits(connectionBurst, connectionPerSecond, messageBurst, 60, floodFactor), null, null, null);
        return new RateLimits(defaults, new SimpleMeterRegistry());
    }

    private static ClientSession session(String id, String user) {
        ClientSession session = new ClientSession(id, "127.0.0.1", 1 << 20, code -> { });
        session.authenticate(new UserRef(user, user, List.of("student")), Long.MAX_VALUE);
        return session;
    }

    @Test
    void givenABurstOfTwentyMessages_whenATwentyFirstComes_thenItWaitsAboutASecond() {
        RateLimits limits = limits(100, 1, 20, 2);
        ClientSession alan = session("s1", "alan");
        limits.opened(alan);

        for (int i = 0; i < 20; i++) {
            assertThat(limits.admit(alan, "chat:message").allowed()).as("message %d", i + 1).isTrue();
        }
        RateLimits.Verdict verdict = limits.admit(alan, "chat:message");

        assertThat(verdict.allowed()).isFalse();
        assertThat(verdict.flood()).isFalse();
        assertThat(verdict.retryAfterMs()).isBetween(1L, 1000L);
        assertThat(limits.admit(alan, "chat:join").allowed()).as("other commands are not messages").isTrue();
    }

    @Test
    void givenTwoDevicesOfOneUser_whenBothPost_thenTheyShareTheUsersMessageBudget() {
        RateLimits limits = limits(100, 1, 3, 2);
        ClientSession phone = session("s1", "alan");
        ClientSession laptop = session("s2", "alan");
        limits.opened(phone);
        limits.opened(laptop);

        limits.admit(phone, "chat:message");
        limits.admit(laptop, "chat:message");
        limits.admit(phone, "chat:message");

        assertThat(limits.admit(laptop, "chat:message").allowed()).isFalse();
    }

    @Test
    void givenAConnectionBurstOfFive_whenASixthFrameComes_thenItIsRefused() {
        RateLimits limits = limits(5, 1, 20, 2);
        ClientSession alan = session("s1", "alan");
        limits.opened(alan);

        for (int i = 0; i < 5; i++) {
            assertThat(limits.admit(alan, "chat:typing").allowed()).isTrue();
        }

        assertThat(limits.admit(alan, "chat:typing").allowed()).isFalse();
    }

    @Test
    void givenAClientThatKeepsSendingAfterBeingToldToWait_whenItExceedsTwiceItsMinuteBudget_thenItIsAFlood() {
        RateLimits limits = limits(5, 1, 20, 2); // a minute's budget: 60 + 5 = 65; a flood: over 130 within the minute
        ClientSession alan = session("s1", "alan");
        limits.opened(alan);

        int floodAt = -1;
        for (int i = 1; i <= 200 && floodAt < 0; i++) {
            if (limits.admit(alan, "chat:typing").flood()) {
                floodAt = i;
            }
        }

        assertThat(floodAt).isEqualTo(131);
    }

    @Test
    void givenAUsersLastSocketClosed_whenTheyComeBack_thenTheirMessageBudgetStartsAfresh() {
        RateLimits limits = limits(100, 1, 1, 2);
        ClientSession first = session("s1", "alan");
        limits.opened(first);
        limits.admit(first, "chat:message");
        assertThat(limits.admit(first, "chat:message").allowed()).isFalse();

        limits.closed(first);
        ClientSession again = session("s2", "alan");
        limits.opened(again);

        assertThat(limits.admit(again, "chat:message").allowed()).isTrue();
    }
}
