package dev.mesh.testkit.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import dev.mesh.testkit.infra.MeshInfra;

/**
 * Consumers that read a topic the way a gateway reads {@code gateway.deliveries}: every
 * partition assigned, no group, nothing committed, positioned before the test sends anything.
 */
public final class TopicConsumers {

    private TopicConsumers() {
    }

    /** A consumer of every partition of {@code topic}, positioned at its current end. */
    public static KafkaConsumer<String, String> fromEnd(String topic) {
        return positioned(topic, true);
    }

    /** A consumer of every partition of {@code topic}, from its beginning. */
    public static KafkaConsumer<String, String> fromBeginning(String topic) {
        return positioned(topic, false);
    }

    private static KafkaConsumer<String, String> positioned(String topic, boolean fromEnd) {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, MeshInfra.get().kafkaBootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = partitionsOf(consumer, topic);
        consumer.assign(partitions);
        if (fromEnd) {
            consumer.seekToEnd(partitions);
        } else {
            consumer.seekToBeginning(partitions);
        }
        // Resolve the positions now, so "the end" is the end before the test sends anything.
        partitions.forEach(consumer::position);
        return consumer;
    }

    /** A topic created a moment ago may not be in the client's metadata yet: retry for a while. */
    private static List<TopicPartition> partitionsOf(KafkaConsumer<String, String> consumer, String topic) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            if (!partitions.isEmpty() || System.nanoTime() > deadline) {
                return partitions;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return partitions;
            }
        }
    }
}
