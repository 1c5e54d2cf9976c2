package dev.mesh.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.mesh.gateway.socket.ClientSession;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class CommandLatencyTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final CommandLatency latency = new CommandLatency(meters);

    @Test
    void givenAForwardedCommand_whenItsReplyReachesTheSession_thenItsLatencyIsRecordedByTypeAndOutcome() {
        latency.forwarded("s-1", "c-1", "chat:message");
        latency.forwarded("s-1", "c-2", "chat:message");

        latency.replied("s-1", "c-1", true);
        latency.replied("s-1", "c-2", false);

        assertThat(timer("chat:message", "ack").count()).isEqualTo(1);
        assertThat(timer("chat:message", "error").count()).isEqualTo(1);
        assertThat(meters.get("mesh.gateway.commands.pending").gauge().value()).isZero();
    }

    @Test
    void givenAReplyNothingWaitsFor_whenItArrives_thenNothingIsRecorded() {
        latency.forwarded("s-1", "c-1", "chat:message");

        latency.replied("s-2", "c-1", true);   // same id, another session
        latency.replied("s-1", "c-9", true);   // answered at the gateway, or a replay
        latency.replied("s-1", null, true);

        assertThat(meters.find("mesh.gateway.command.latency").timers()).isEmpty();
        assertThat(meters.get("mesh.gateway.commands.pending").gauge().value()).isEqualTo(1);
    }

    @Test
    void givenASessionWithCommandsInFlight_whenItCloses_thenTheyAreForgotten() {
        ClientSession session = new ClientSession("s-1", "127.0.0.1", 1024, code -> { });
        latency.forwarded("s-1", "c-1", "chat:message");
        latency.forwarded("s-10", "c-1", "chat:message");

        latency.closed(session);
        latency.replied("s-1", "c-1", true);

        assertThat(meters.find("mesh.gateway.command.latency").timers()).isEmpty();
        assertThat(meters.get("mesh.gateway.commands.pending").gauge().value()).isEqualTo(1);
    }

    @Test
    void givenASessionWithMoreCommandsInFlightThanTheBound_whenMoreAreForwarded_thenItsOldestAreForgotten() {
        for (int i = 0; i < CommandLatency.MAX_PER_SESSION + 44; i++) {
            latency.forwarded("s-1", "c-" + i, "chat:message");
        }
        latency.forwarded("s-2", "c-0", "chat:message");

        latency.replied("s-1", "c-0", true);   // forgotten: the oldest went first
        latency.replied("s-1", "c-" + (CommandLatency.MAX_PER_SESSION + 43), true);

        assertThat(timer("chat:message", "ack").count()).isEqualTo(1);
        assertThat(meters.get("mesh.gateway.commands.pending").gauge().value())
                .isEqualTo(CommandLatency.MAX_PER_SESSION - 1 + 1);
    }

    private Timer timer(String type, String outcome) {
        return meters.get("mesh.gateway.command.latency").tag("type", type).tag("outcome", outcome).timer();
    }
}
