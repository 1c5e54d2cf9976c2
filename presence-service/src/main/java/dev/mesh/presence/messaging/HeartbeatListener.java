package dev.mesh.presence.messaging;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.kafka.listener.MessageListenerContainer;
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
    private static final String LISTENER_ID = "presence-heartbeats";

    private final PresenceStore store;
    private final Clock clock;
    private final String groupId;
    private volatile Long positionedAt;
    /** A heartbeat could not be recorded, and none has been since. */
    private volatile boolean deaf;
    /** The heartbeat consumer had no connection to Kafka when last asked. */
    private volatile boolean cutOff;
    private final ObjectProvider<KafkaListenerEndpointRegistry> listeners;

    public HeartbeatListener(PresenceStore store, Clock clock, MeshProperties mesh,
                             ObjectProvider<KafkaListenerEndpointRegistry> listeners) {
        this.store = store;
        this.clock = clock;
        this.groupId = "presence-instances-" + mesh.instanceId();
        this.listeners = listeners;
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
        // Cut off from Kafka, this instance hears no heartbeat, and once back it reads those sent
        // meanwhile only after a while: the silence of that time says nothing about the boots.
        // Like after a start, none may be declared dead before DEAD_AFTER_MS of hearing again
        // (found by FaultsUnderLoadTest: after a broker restart live boots were taken for dead).
        boolean connected = connectedToKafka();
        if (!connected) {
            cutOff = true;
            return null;
        }
        if (cutOff) {
            cutOff = false;
            positionedAt = deaf ? null : clock.millis();
        }
        return positionedAt;
    }

    /** Whether the heartbeat consumer holds a connection to a broker (true when it cannot tell). */
    private boolean connectedToKafka() {
        KafkaListenerEndpointRegistry registry = listeners.getIfAvailable();
        MessageListenerContainer container = registry == null ? null : registry.getListenerContainer(LISTENER_ID);
        if (container == null) {
            return true;
        }
        boolean measured = false;
        for (Map<MetricName, ? extends Metric> metrics : container.metrics().values()) {
            for (Map.Entry<MetricName, ? extends Metric> metric : metrics.entrySet()) {
                if ("connection-count".equals(metric.getKey().name()) && "consumer-metrics".equals(metric.getKey().group())) {
                    measured = true;
                    if (metric.getValue().metricValue() instanceof Number count && count.doubleValue() > 0) {
                        return true;
                    }
                }
            }
        }
        return !measured;
    }

    @Override
    public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekAware.ConsumerSeekCallback callback) {
        if (positionedAt == null && !deaf && !assignments.isEmpty()) {
            positionedAt = clock.millis();
        }
    }

    @KafkaListener(id = LISTENER_ID, idIsGroup = false, groupId = "#{__listener.groupId}",
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
        try {
            store.heartbeat(heartbeat.instanceId(), heartbeat.bootId(), heartbeat.at()).block(BLOCK_LIMIT);
        } catch (RuntimeException e) {
            // The database is unreachable: the heartbeats heard meanwhile are not recorded, so a
            // boot's silence in the table says nothing. Like after a start, no boot may be declared
            // dead until heartbeats have been recorded again for DEAD_AFTER_MS (found by
            // FaultsUnderLoadTest: after a 10 s PostgreSQL stop every live boot was taken for dead).
            deaf = true;
            positionedAt = null;
            throw e;
        }
        if (deaf) {
            deaf = false;
            positionedAt = clock.millis();
        }
    }
}
