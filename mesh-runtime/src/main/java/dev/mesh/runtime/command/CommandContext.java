package dev.mesh.runtime.command;

import java.util.List;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.CommandEnvelope;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.runtime.store.Outbox;
import dev.mesh.runtime.store.StreamLog;
import dev.mesh.runtime.tracing.MeshTracing;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A command being applied: who sent it, from which session, with which key; and the
 * outbox through which its effects leave, in the command's transaction.
 */
public final class CommandContext {

    private final CommandEnvelope envelope;
    private final String key;
    private final Outbox outbox;
    private final StreamLog streamLog;
    /** The command's trace ({@code traceparent}), or null when the caller's context carries it. */
    private final String traceparent;

    CommandContext(CommandEnvelope envelope, String key, Outbox outbox, StreamLog streamLog) {
        this(envelope, key, outbox, streamLog, null);
    }

    /**
     * A command applied among others by one call ({@link BatchCommandHandler}): its writes run in
     * the batch's context, so the command's own trace is put on each of them here — every outbox
     * row it writes carries the command's trace, as it would applied alone.
     */
    CommandContext(CommandEnvelope envelope, String key, Outbox outbox, StreamLog streamLog, String traceparent) {
        this.envelope = envelope;
        this.key = key;
        this.outbox = outbox;
        this.streamLog = streamLog;
        this.traceparent = traceparent;
    }

    private Mono<Void> traced(Mono<Void> write) {
        return traceparent == null ? write : write.contextWrite(context -> context.put(MeshTracing.CONTEXT_KEY, traceparent));
    }

    public CommandEnvelope envelope() {
        return envelope;
    }

    public UserRef user() {
        return envelope.user();
    }

    public String commandId() {
        return envelope.commandId();
    }

    public String sessionId() {
        return envelope.replyTo().sessionId();
    }

    /** The command's Kafka key: its stream id. */
    public String key() {
        return key;
    }

    public long receivedAt() {
        return envelope.receivedAt();
    }

    /** The command's data as a record; VALIDATION when it does not have that shape. */
    public <T> T data(Class<T> type) {
        JsonNode data = envelope.data();
        if (data == null || !data.isObject()) {
            throw MeshException.validation("data must be a JSON object");
        }
        try {
            return MeshJson.convert(data, type);
        } catch (JacksonException e) {
            throw MeshException.validation("data does not match " + envelope.type() + ": " + e.getOriginalMessage());
        }
    }

    /**
     * An event to everyone attached to a stream topic, keyed by this command's stream. With a
     * {@code seq} it is also appended to the stream event log ({@link StreamLog}, stream id = the
     * topic), so a resume replays it.
     */
    public Mono<Void> publish(String topic, String eventType, Long seq, Object data) {
        return publish(List.of(Delivery.Audience.topic(topic)), topic, eventType, seq, data);
    }

    /**
     * An event of a stream topic to other audiences (e.g. both users of a direct conversation,
     * {@code user:<id>}, who get it without being attached): logged once when it has a
     * {@code seq}, then one delivery per audience, in the order given, with the same frame.
     */
    public Mono<Void> publish(List<Delivery.Audience> audiences, String topic, String eventType, Long seq, Object data) {
        JsonNode tree = MeshJson.tree(data);
        Delivery.Event event = new Delivery.Event(eventType, topic, seq, tree);
        Mono<Void> log = seq == null ? Mono.empty() : streamLog.append(topic, seq, eventType, tree);
        return traced(log.then(Flux.fromIterable(audiences)
                .concatMap(audience -> outbox.deliver(key, Delivery.event(audience, null, event)))
                .then()));
    }

    /** An event to this command's session only (a replay before the ack, for instance); not logged. */
    public Mono<Void> publishToSession(String topic, String eventType, Long seq, Object data) {
        return traced(outbox.deliver(key, Delivery.event(Delivery.Audience.session(sessionId()), null,
                new Delivery.Event(eventType, topic, seq, MeshJson.tree(data)))));
    }

    /** Attaches this command's session to a stream topic from {@code fromSeq} on. */
    public Mono<Void> attach(String topic, long fromSeq) {
        return traced(outbox.deliver(key, Delivery.attach(new Delivery.Attach(sessionId(), topic, fromSeq))));
    }

    /** Any delivery, keyed by this command's stream. */
    public Mono<Void> deliver(Delivery delivery) {
        return traced(outbox.deliver(key, delivery));
    }

    /** A domain event on a domain's event topic. */
    public Mono<Void> event(String kafkaTopic, String eventKey, Object domainEvent) {
        return traced(outbox.event(kafkaTopic, eventKey, domainEvent));
    }
}
