package dev.mesh.runtime.command;

import java.time.Duration;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;

import tools.jackson.core.JacksonException;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.CommandEnvelope;
import dev.mesh.runtime.tracing.MeshTracing;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;

/**
 * Consumes the service's command topic, one record at a time per partition: each command is
 * applied and its transaction committed before the next record of the partition is read,
 * and the offset is committed after that (ack mode RECORD). The method returns {@code void}
 * and blocks on the container's thread on purpose — a {@code Mono}-returning listener would
 * run one partition's records concurrently and lose per-stream order (STACK.md).
 */
public class CommandListener {

    private static final Logger log = LoggerFactory.getLogger(CommandListener.class);

    private final CommandProcessor processor;
    private final Duration blockLimit;
    private final MeshTracing tracing;

    public CommandListener(CommandProcessor processor, Duration applyTimeout) {
        this(processor, applyTimeout, MeshTracing.noop());
    }

    public CommandListener(CommandProcessor processor, Duration applyTimeout, MeshTracing tracing) {
        this.processor = processor;
        this.tracing = tracing;
        // The processor answers by itself after applyTimeout; this bound only guards against a hung reply send.
        this.blockLimit = applyTimeout.plusSeconds(15);
    }

    @KafkaListener(id = "${mesh.service}-commands", topics = "${mesh.service}.commands",
            groupId = "${mesh.service}-service", concurrency = "${mesh.kafka.partitions:3}")
    public void onCommand(ConsumerRecord<String, String> record) {
        CommandEnvelope command;
        try {
            command = MeshJson.read(record.value(), CommandEnvelope.class);
        } catch (JacksonException e) {
            log.error("Skipping an unreadable command at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return;
        }
        if (command.commandId() == null || command.user() == null || command.replyTo() == null) {
            log.error("Skipping an incomplete command at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return;
        }
        // The command's trace (started at the gateway) continues here; every outbox row and reply
        // of this command carries it on (MeshTracing).
        Span span = tracing.startFrom("mesh.command.apply", record.headers())
                .tag("mesh.command.type", command.type());
        try (Tracer.SpanInScope scope = tracing.inScope(span)) {
            String traceparent = tracing.traceparent(span);
            processor.process(command, record.key())
                    .contextWrite(context -> traceparent == null ? context : context.put(MeshTracing.CONTEXT_KEY, traceparent))
                    .block(blockLimit);
        } finally {
            span.end();
        }
    }
}
