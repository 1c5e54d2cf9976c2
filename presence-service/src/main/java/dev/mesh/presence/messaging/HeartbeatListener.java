package dev.mesh.presence.messaging;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.stereotype.Component;

import tools.jackson.core.JacksonException;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.presence.InstanceHeartbeat;
import dev.mesh.presence.store.PresenceStore;
import dev.mesh.runtime.MeshProperties;

/**
 * {@code gateway.instances}: every presence instance reads every heartbeat, so each has a
 * consumer group of its own ({@code presence-instances-<instance id>}, from the end: only live
 * heartbeats matter). The listener {@code id} is not the group ({@code idIsGroup = false},
 * STACK.md). Heartbeats only move {@code presence_boots.last_heartbeat_at} forward; the
 * scanner decides what is dead.
 */
@Component
public class HeartbeatListener implements ConsumerSeekAware {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatListener.class);
    private static final Duration BLOCK_LIMIT = Duration.ofSeconds(10);

    private final PresenceStore store;
    private final Clock clock;
    private final String groupId;
    private volatile Long positionedAt;

    public HeartbeatListener(PresenceStore store, Clock clock, MeshProperties mesh) {
        this.store = store;
        this.clock = clock;
        this.groupId = "presence-instances-" + mesh.instanceId();
    }

    /** This instance's own group (read by the annotation through {@code __listener}). */
    public String getGroupId() {
        return groupId;
    }

    /**
     * When this instance started hearing heartbeats, or null. Before {@code DEAD_AFTER_MS} has
     * passed since then, a silent boot may only be one whose heartbeats were sent while no
     * presence instance was listening, so nobody should be declared dead on its account.
     */
    public Long positionedAt() {
        return positionedAt;
    }

    @Override
    public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekAware.ConsumerSeekCallback callback) {
        if (positionedAt == null && !assignments.isEmpty()) {
            positionedAt = clock.millis();
        }
    }

    @KafkaListener(id = "presence-heartbeats", idIsGroup = false, groupId = "#{__listener.groupId}",
            topics = Topics.GATEWAY_INSTANCES, properties = "auto.offset.reset=latest")
    public void onHeartbeat(ConsumerRecord<String, String> record) {
        InstanceHeartbeat heartbeat;
        try {
            heartbeat = MeshJson.read(record.value(), InstanceHeartbeat.class);
        } catch (JacksonException e) {
            log.error("Skipping an unreadable heartbeat at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return;
        }
        if (heartbeat.instanceId() == null || heartbeat.bootId() == null) {
            return;
        }
        store.heartbeat(heartbeat.instanceId(), heartbeat.bootId(), heartbeat.at()).block(BLOCK_LIMIT);
    }
}
