package dev.mesh.gateway.socket;

import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.CommandCatalogue;
import dev.mesh.contracts.kafka.CommandEnvelope;
import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.ServerFrame;
import dev.mesh.gateway.metrics.CommandLatency;
import dev.mesh.runtime.MeshProperties;
import dev.mesh.runtime.kafka.KafkaPublisher;
import dev.mesh.runtime.tracing.MeshTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Span;
import reactor.core.publisher.Mono;

/**
 * Turns a client frame into a command on its domain's command topic, keyed by its stream
 * (ARCHITECTURE §3). Only types in the client command catalogue pass, so clients cannot
 * forge internal commands; everything else is answered here with VALIDATION. The Kafka send
 * runs on a scheduler that may block, never on the event loop (see {@link KafkaPublisher}).
 */
@Component
public class CommandForwarder {

    private static final Logger log = LoggerFactory.getLogger(CommandForwarder.class);
    private static final int MAX_ID_LENGTH = 64;

    private final KafkaPublisher publisher;
    private final KafkaReachability reachability;
    private final String instanceId;
    private final MeterRegistry meters;
    private final CommandLatency latency;
    private final MeshTracing tracing;

    public CommandForwarder(KafkaPublisher publisher, KafkaReachability reachability, MeshProperties mesh,
                            MeterRegistry meters, CommandLatency latency, MeshTracing tracing) {
        this.latency = latency;
        this.tracing = tracing;
        this.publisher = publisher;
        this.reachability = reachability;
        this.instanceId = mesh.instanceId();
        this.meters = meters;
    }

    Mono<Void> forward(ClientSession session, JsonNode frame, String type) {
        String id = SocketSessions.textOf(frame, "id");
        if (id != null && (id.isBlank() || id.length() > MAX_ID_LENGTH || SocketSessions.invalidText(id) != null)) {
            return reject(session, null, "id must be a non-empty string of at most " + MAX_ID_LENGTH
                    + " characters, without NUL or lone surrogates");
        }
        if (type == null) {
            return reject(session, id, "Every frame needs a type");
        }
        Optional<CommandCatalogue.Entry> entry = CommandCatalogue.find(type);
        if (entry.isEmpty()) {
            return reject(session, id, "Unknown type " + abbreviate(type));
        }
        if (!entry.get().ephemeral() && id == null) {
            return reject(session, null, type + " is a command and needs an id");
        }
        JsonNode data = frame.get("data");
        if (data == null || !data.isObject()) {
            return reject(session, id, type + " needs a data object");
        }
        String invalidText = SocketSessions.invalidText(data);
        if (invalidText != null) {
            return reject(session, id, invalidText);
        }
        Optional<String> key = CommandCatalogue.keyOf(type, data, session.user().id());
        if (key.isEmpty()) {
            return reject(session, id, type + " needs data." + entry.get().keyRule().field());
        }
        // Ephemeral frames get a fresh id: they are never retried, so nothing dedupes them.
        String commandId = id != null ? id : UUID.randomUUID().toString();
        CommandEnvelope envelope = new CommandEnvelope(commandId, type, data, session.user(),
                new CommandEnvelope.ReplyTo(instanceId, session.id()), System.currentTimeMillis());
        // The command's trace starts here; its traceparent goes in the record's headers (MeshTracing).
        Span span = tracing.start("mesh.gateway.command").tag("mesh.command.type", type).tag("mesh.instance", instanceId);
        String traceparent = tracing.traceparent(span);
        if (id != null && !entry.get().ephemeral()) {
            latency.forwarded(session.id(), id, type); // ephemeral commands get no reply
        }
        return publisher.send(entry.get().commandTopic(), key.get(), MeshJson.write(envelope), null)
                .contextWrite(context -> traceparent == null ? context : context.put(MeshTracing.CONTEXT_KEY, traceparent))
                .doFinally(signal -> span.end())
                .doOnSuccess(sent -> {
                    reachability.sent();
                    meters.counter("mesh.gateway.commands", "type", type).increment();
                })
                .then()
                .onErrorResume(e -> {
                    log.warn("Could not forward {} to {}: {}", type, entry.get().commandTopic(), e.toString());
                    if (id != null) {
                        session.sendFrame(ServerFrame.error(id, ErrorCode.UNAVAILABLE,
                                "The service is unreachable; retry with the same id", null));
                    }
                    return Mono.empty();
                });
    }

    private Mono<Void> reject(ClientSession session, String ref, String message) {
        meters.counter("mesh.gateway.rejected", "reason", "validation").increment();
        session.sendFrame(ServerFrame.error(ref, ErrorCode.VALIDATION, message, null));
        return Mono.empty();
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
