package dev.mesh.gateway.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.presence.InstanceHeartbeat;
import dev.mesh.runtime.kafka.KafkaPublisher;
import dev.mesh.testkit.infra.MeshInfra;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Against a real broker (mesh-testkit): heartbeats reach {@code gateway.instances} readable by a
 * plain consumer, and after {@code silence()} (the crash seam) nothing more of this boot arrives.
 */
class InstanceHeartbeatsKafkaTest {

    private static final Duration INTERVAL = Duration.ofMillis(200);

    private final String bootstrap = MeshInfra.get().kafkaBootstrapServers();
    private final GatewayIdentity identity = new GatewayIdentity("gw-test-" + UUID.randomUUID(), UUID.randomUUID().toString());
    private DefaultKafkaProducerFactory<String, String> producers;
    private InstanceHeartbeats heartbeats;

    @AfterEach
    void tearDown() {
        if (heartbeats != null) {
            heartbeats.stop();
        }
        if (producers != null) {
            producers.destroy();
        }
    }

    @Test
    void givenARunningGateway_whenSilenced_thenHeartbeatsWereReadableAndNoneArrivesAfterwards() throws Exception {
        ensureTopic();
        producers = new DefaultKafkaProducerFactory<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000));
        PresencePublisher publisher = new PresencePublisher(new KafkaPublisher(new KafkaTemplate<>(producers)),
                new SimpleMeterRegistry());
        ConnectionEvents events = new ConnectionEvents(publisher, identity, Duration.ofSeconds(30), Clock.systemUTC());
        heartbeats = new InstanceHeartbeats(publisher, identity, () -> 7, events, INTERVAL, Clock.systemUTC());

        try (KafkaConsumer<String, String> consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.GATEWAY_INSTANCES, Duration.ofSeconds(10))
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);

            heartbeats.start();
            List<InstanceHeartbeat> seen = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (seen.size() < 2 && System.nanoTime() < deadline) {
                seen.addAll(ours(consumer, Duration.ofMillis(100)));
            }
            assertThat(seen).hasSizeGreaterThanOrEqualTo(2);
            InstanceHeartbeat first = seen.getFirst();
            assertThat(first.instanceId()).isEqualTo(identity.instanceId());
            assertThat(first.bootId()).isEqualTo(identity.bootId());
            assertThat(first.sessionCount()).isEqualTo(7);

            events.silence();
            // Everything acknowledged before silence() returned lies below these offsets; read up to them.
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long caughtUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())
                    && System.nanoTime() < caughtUp) {
                ours(consumer, Duration.ofMillis(50));
            }

            List<InstanceHeartbeat> afterSilence = new ArrayList<>();
            long quietUntil = System.nanoTime() + INTERVAL.multipliedBy(2).plusMillis(200).toNanos();
            while (System.nanoTime() < quietUntil) {
                afterSilence.addAll(ours(consumer, Duration.ofMillis(50)));
            }
            assertThat(afterSilence).isEmpty();
        }
    }

    private List<InstanceHeartbeat> ours(KafkaConsumer<String, String> consumer, Duration poll) {
        List<InstanceHeartbeat> result = new ArrayList<>();
        for (ConsumerRecord<String, String> record : consumer.poll(poll)) {
            if (identity.instanceId().equals(record.key())) {
                result.add(MeshJson.mapper().readValue(record.value(), InstanceHeartbeat.class));
            }
        }
        return result;
    }

    private KafkaConsumer<String, String> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));
    }

    private void ensureTopic() throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(Topics.GATEWAY_INSTANCES, 3, (short) 1))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }
}
