package dev.mesh.gateway.delivery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
import dev.mesh.gateway.socket.WireFrame;
import dev.mesh.runtime.MeshProperties;
import io.micrometer.core.instrument.Counter;
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
    private final Counter eventDeliveries;
    /** frames.out counters by frame type, looked up once per type rather than once per delivery. */
    private final Map<String, Counter> framesOut = new ConcurrentHashMap<>();

    public DeliveryFanout(SessionRegistry registry, MeshProperties mesh, MeterRegistry meters, CommandLatency latency) {
        this.latency = latency;
        this.registry = registry;
        this.instanceId = mesh.instanceId();
        this.meters = meters;
        this.eventDeliveries = meters.counter("mesh.gateway.deliveries", "kind", "event");
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
        Delivery.Audience audience = delivery.audience();
        String excluded = delivery.excludeSessionId();
        Long seq = event.seq();
        Fanout fanout = new Fanout(ServerFrame.event(event.type(), event.topic(), seq, event.data()));
        int receivers;
        if (audience.kind() == Delivery.Audience.Kind.topic) {
            // A topic's audience is the sessions attached to it, walked as the index holds them: an
            // event on that topic's own stream is checked against the cursor beside each session,
            // with no lookup per receiver; one without a seq (typing, presence) is simply sent.
            boolean ownStream = seq != null && audience.id().equals(event.topic());
            SessionRegistry.Attached[] attached = registry.attachedTo(audience.id());
            receivers = attached.length;
            for (SessionRegistry.Attached a : attached) {
                ClientSession session = a.session();
                if (excluded == null || !excluded.equals(session.id())) {
                    fanout.offer(session, ownStream ? a.cursor().offerAttached(seq) : verdict(session, event, true),
                            event.topic());
                }
            }
        } else {
            // Addressed to a session or user directly (a replay, a notice): its topic orders it only.
            Collection<ClientSession> sessions = registry.audience(audience);
            receivers = sessions.size();
            for (ClientSession session : sessions) {
                if (excluded == null || !excluded.equals(session.id())) {
                    fanout.offer(session, verdict(session, event, false), event.topic());
                }
            }
        }
        if (receivers == 0) {
            return;
        }
        fanout.drain();
        eventDeliveries.increment(receivers);
        framesOut(event.type()).increment(fanout.sent);
    }

    /** Whether an event with a topic and seq goes to {@code session} (events without them always do). */
    private static ClientSession.SeqVerdict verdict(ClientSession session, Delivery.Event event, boolean mustBeAttached) {
        return event.topic() == null || event.seq() == null ? ClientSession.SeqVerdict.SEND
                : session.offerSeq(event.topic(), event.seq(), mustBeAttached);
    }

    /** One event on its way to this gateway's receivers. */
    private final class Fanout {
        private final ServerFrame frame;
        /** Encoded and framed once per wire format; every receiving socket writes the same bytes. */
        private final Map<WireFormat, WireFrame> encoded = new HashMap<>(2);
        /** Each event loop gets one task that writes to all its sockets, not one task per socket. */
        private final Map<EventExecutor, List<ClientSession>> toDrain = new HashMap<>(4);
        private int sent;

        Fanout(ServerFrame frame) {
            this.frame = frame;
        }

        void offer(ClientSession session, ClientSession.SeqVerdict verdict, String topic) {
            switch (verdict) {
                case DUPLICATE -> meters.counter("mesh.gateway.deliveries.dropped", "reason", "duplicate").increment();
                case GAP -> {
                    registry.detach(session, topic);
                    ObjectNode data = MeshJson.object().put("topic", topic);
                    session.sendFrame(ServerFrame.of(ServerFrame.RESYNC, data));
                    framesOut(ServerFrame.RESYNC).increment();
                    meters.counter("mesh.gateway.deliveries.dropped", "reason", "gap").increment();
                }
                case SEND -> {
                    WireFrame bytes = encoded.computeIfAbsent(session.format(),
                            format -> WireFrame.shared(format.encode(frame).getBytes(StandardCharsets.UTF_8)));
                    if (session.enqueue(bytes)) {
                        toDrain.computeIfAbsent(session.loop(), loop -> new ArrayList<>()).add(session);
                    }
                    sent++;
                }
            }
        }

        void drain() {
            toDrain.forEach((loop, sessions) -> loop.execute(() -> sessions.forEach(ClientSession::drain)));
        }
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
        framesOut(frame.type()).increment();
    }

    private Counter framesOut(String type) {
        return framesOut.computeIfAbsent(type, t -> meters.counter("mesh.gateway.frames.out", "type", t));
    }

    private static ErrorCode codeOf(String code) {
        try {
            return ErrorCode.valueOf(code);
        } catch (RuntimeException e) {
            return ErrorCode.INTERNAL;
        }
    }
}
