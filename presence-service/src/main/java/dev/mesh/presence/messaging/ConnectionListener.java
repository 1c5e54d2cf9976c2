package dev.mesh.presence.messaging;

import java.time.Duration;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import tools.jackson.core.JacksonException;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.presence.ConnectionEvent;

/**
 * {@code gateway.connections} (keyed by user): each event is applied in its own transaction,
 * under the user's row lock, before the next record of the partition is read — the method
 * returns {@code void} and blocks the container thread on purpose (STACK.md: a Mono-returning
 * listener loses per-partition order). The offset is committed after the commit.
 */
@Component
public class ConnectionListener {

    private static final Logger log = LoggerFactory.getLogger(ConnectionListener.class);
    private static final Duration BLOCK_LIMIT = Duration.ofSeconds(15);

    private final PresenceUpdates updates;
    private final TransactionalOperator meshTransactions;

    public ConnectionListener(PresenceUpdates updates, TransactionalOperator meshTransactions) {
        this.updates = updates;
        this.meshTransactions = meshTransactions;
    }

    @KafkaListener(id = "presence-connections", idIsGroup = false, groupId = "presence-service",
            topics = Topics.GATEWAY_CONNECTIONS, concurrency = "${mesh.kafka.partitions:3}")
    public void onConnection(ConsumerRecord<String, String> record) {
        ConnectionEvent event;
        try {
            event = MeshJson.read(record.value(), ConnectionEvent.class);
        } catch (JacksonException e) {
            log.error("Skipping an unreadable connection event at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return;
        }
        if (event.type() == null || event.sessionId() == null || event.userId() == null
                || event.instanceId() == null || event.bootId() == null) {
            log.error("Skipping an incomplete connection event at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return;
        }
        meshTransactions.transactional(updates.apply(event)).block(BLOCK_LIMIT);
    }
}
