package dev.mesh.runtime.command;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;

import tools.jackson.core.JacksonException;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.CommandEnvelope;
import dev.mesh.runtime.MeshProperties;
import dev.mesh.runtime.tracing.MeshTracing;
import io.micrometer.tracing.Span;

/**
 * Consumes the service's command topic a poll at a time: the records of each partition are
 * handed to {@link CommandProcessor#processAll} in their order, which applies them in batches of
 * one transaction each and answers every command; the container commits the poll's offsets after
 * that (ack mode BATCH). A crash before the offset commit reads the poll again: committed commands
 * then get their stored result (idempotency), the others are applied. The method returns
 * {@code void} and blocks on the container's thread on purpose — a {@code Mono}-returning listener
 * would run one partition's records concurrently and lose per-stream order (STACK.md).
 */
public class CommandListener {

    private static final Logger log = LoggerFactory.getLogger(CommandListener.class);

    private final CommandProcessor processor;
    private final Duration blockLimit;
    private final MeshTracing tracing;

    public CommandListener(CommandProcessor processor, MeshProperties.Commands settings) {
        this(processor, settings, MeshTracing.noop());
    }

    public CommandListener(CommandProcessor processor, MeshProperties.Commands settings, MeshTracing tracing) {
        this.processor = processor;
        this.tracing = tracing;
        // The processor answers by itself: a batch within applyTimeout, or each command alone within
        // it again, and commands older than maxAge at once. This bound only guards against a hung send.
        this.blockLimit = settings.maxAge().plus(settings.applyTimeout().multipliedBy(4)).plusSeconds(15);
    }

    @KafkaListener(id = "${mesh.service}-commands", topics = "${mesh.service}.commands",
            groupId = "${mesh.service}-service", concurrency = "${mesh.kafka.partitions:3}", batch = "true")
    public void onCommands(List<ConsumerRecord<String, String>> records) {
        Map<Integer, List<CommandProcessor.Incoming>> byPartition = new LinkedHashMap<>();
        List<Span> spans = new ArrayList<>(records.size());
        for (ConsumerRecord<String, String> record : records) {
            CommandEnvelope command = read(record);
            if (command == null) {
                continue;
            }
            // The command's trace (started at the gateway) continues here; every outbox row and reply
            // of this command carries it on (MeshTracing).
            Span span = tracing.startFrom("mesh.command.apply", record.headers())
                    .tag("mesh.command.type", command.type());
            spans.add(span);
            byPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>())
                    .add(new CommandProcessor.Incoming(command, record.key(), tracing.traceparent(span)));
        }
        try {
            for (List<CommandProcessor.Incoming> partition : byPartition.values()) {
                processor.processAll(partition).block(blockLimit);
            }
        } finally {
            spans.forEach(Span::end);
        }
    }

    private static CommandEnvelope read(ConsumerRecord<String, String> record) {
        CommandEnvelope command;
        try {
            command = MeshJson.read(record.value(), CommandEnvelope.class);
        } catch (JacksonException e) {
            log.error("Skipping an unreadable command at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return null;
        }
        if (command.commandId() == null || command.user() == null || command.replyTo() == null) {
            log.error("Skipping an incomplete command at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return null;
        }
        return command;
    }
}
