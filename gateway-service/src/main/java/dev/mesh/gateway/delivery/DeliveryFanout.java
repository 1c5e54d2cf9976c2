package dev.mesh.gateway.delivery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

import tools.jackson.databind.node.ObjectNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.ServerFrame;
import dev.mesh.gateway.metrics.CommandLatency;
import dev.mesh.gateway.socket.ClientSession;
import dev.mesh.gateway.socket.SessionRegistry;
import dev.mesh.gateway.socket.WireFormat;
import dev.mesh.runtime.MeshProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutor;

/**
 * Applies a delivery to this instance's sockets: events to their audience (serialized once,
 * not once per receiver), attaches and detaches, replies to the session that sent the command,
 * forced closes. Per (session, topic) it drops events it already sent and turns a gap into
 * {@code resync}, so clients see each stream's seq in order, once.
 */
@Component
public class DeliveryFanout {

    private final SessionRegistry registry;
    private final String instanceId;
    private final MeterRegistry meters;
    private final CommandLatency latency;

    public DeliveryFanout(SessionRegistry registry, MeshProperties mesh, MeterRegistry meters, CommandLatency latency) {
        this.latency = latency;
        this.registry = registry;
        this.instanceId = mesh.instanceId();
        this.meters = meters;
    }

    public void apply(Delivery delivery) {
        if (delivery.event() != null) {
            event(delivery);
        } else if (delivery.attach() != null) {
            ClientSession session = registry.session(delivery.attach().sessionId());
            if (session != null) {
                registry.attach(session, delivery.attach().topic(), delivery.attach().fromSeq());
            }
        } else if (delivery.detach() != null) {
            detach(delivery.detach());
        } else if (delivery.reply() != null) {
            reply(delivery.reply());
        } else if (delivery.close() != null) {
            for (ClientSession session : registry.ofUser(delivery.close().userId())) {
                session.close(delivery.close().code());
            }
        }
    }

    private void event(Delivery delivery) {
        Delivery.Event event = delivery.event();
        Collection<ClientSession> audience = registry.audience(delivery.audience());
        if (audience.isEmpty()) {
            return;
        }
        ServerFrame frame = ServerFrame.event(event.type(), event.topic(), event.seq(), event.data());
        // Encoded once per wire format, to UTF-8 bytes every receiving socket shares.
        Map<WireFormat, byte[]> encoded = new HashMap<>(2);
        // An event on its own stream topic must reach only attached sessions; one addressed to a
        // session or user directly (a replay, a notice) carries its topic for ordering only.
        boolean streamFanout = delivery.audience().kind() == Delivery.Audience.Kind.topic;
        // Each event loop gets one task that writes to all its sockets, not one task per socket.
        Map<EventExecutor, List<ClientSession>> toDrain = new HashMap<>(4);
        int sent = 0;
        for (ClientSession session : audience) {
            if (session.id().equals(delivery.excludeSessionId())) {
                continue;
            }
            if (event.topic() != null && event.seq() != null) {
                switch (session.offerSeq(event.topic(), event.seq(), streamFanout)) {
                    case DUPLICATE -> {
                        meters.counter("mesh.gateway.deliveries.dropped", "reason", "duplicate").increment();
                        continue;
                    }
                    case GAP -> {
                        registry.detach(session, event.topic());
                        ObjectNode data = MeshJson.object().put("topic", event.topic());
                        session.sendFrame(ServerFrame.of(ServerFrame.RESYNC, data));
                        meters.counter("mesh.gateway.frames.out", "type", ServerFrame.RESYNC).increment();
                        meters.counter("mesh.gateway.deliveries.dropped", "reason", "gap").increment();
                        continue;
                    }
                    case SEND -> {
                    }
                }
            }
            if (session.enqueue(encoded.computeIfAbsent(session.format(), format -> format.encode(frame).getBytes(StandardCharsets.UTF_8)))) {
                toDrain.computeIfAbsent(session.loop(), loop -> new ArrayList<>()).add(session);
            }
            sent++;
        }
        toDrain.forEach((loop, sessions) -> loop.execute(() -> sessions.forEach(ClientSession::drain)));
        meters.counter("mesh.gateway.deliveries", "kind", "event").increment(audience.size());
        meters.counter("mesh.gateway.frames.out", "type", event.type()).increment(sent);
    }

    private void detach(Delivery.Detach detach) {
        Collection<ClientSession> sessions = detach.sessionId() != null
                ? java.util.Optional.ofNullable(registry.session(detach.sessionId())).map(java.util.List::of).orElse(java.util.List.of())
                : registry.ofUser(detach.userId());
        for (ClientSession session : sessions) {
            registry.detach(session, detach.topic());
        }
    }

    private void reply(Delivery.Reply reply) {
        if (!instanceId.equals(reply.instanceId())) {
            return;
        }
        ClientSession session = registry.session(reply.sessionId());
        if (session == null) {
            return; // the socket is gone; the client retries with the same id and gets the stored result
        }
        ServerFrame frame = reply.ok()
                ? ServerFrame.ack(reply.ref(), reply.data())
                : ServerFrame.error(reply.ref(), codeOf(reply.code()), reply.message(), reply.data());
        session.sendFrame(frame);
        latency.replied(session.id(), reply.ref(), reply.ok());
        meters.counter("mesh.gateway.frames.out", "type", frame.type()).increment();
    }

    private static ErrorCode codeOf(String code) {
        try {
            return ErrorCode.valueOf(code);
        } catch (RuntimeException e) {
            return ErrorCode.INTERNAL;
        }
    }
}
