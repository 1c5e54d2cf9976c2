package dev.mesh.runtime.it;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import dev.mesh.testkit.infra.MeshInfra;

/**
 * Reads a topic the way a gateway reads {@code gateway.deliveries}: every partition assigned,
 * no group, nothing committed; positioned before anything is sent. Keeps every record read.
 */
final class KafkaReader implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;
    private final List<ConsumerRecord<String, String>> records = new ArrayList<>();

    private KafkaReader(String topic, boolean fromEnd) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, MeshInfra.get().kafkaBootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer());
        // A topic created a moment ago may not be in this client's metadata yet: partitionsFor is then empty.
        List<TopicPartition> partitions = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> consumer.partitionsFor(topic, Duration.ofSeconds(5)).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition()))
                        .toList(), found -> !found.isEmpty());
        consumer.assign(partitions);
        if (fromEnd) {
            consumer.seekToEnd(partitions);
        } else {
            consumer.seekToBeginning(partitions);
        }
        // Resolve the positions now, so "the end" is the end before the test sends anything.
        partitions.forEach(consumer::position);
    }

    static KafkaReader fromEnd(String topic) {
        return new KafkaReader(topic, true);
    }

    static KafkaReader fromBeginning(String topic) {
        return new KafkaReader(topic, false);
    }

    /** Polls until {@code done} holds for the records read so far. */
    List<ConsumerRecord<String, String>> awaitUntil(Duration atMost, Predicate<List<ConsumerRecord<String, String>>> done) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(10)).until(() -> {
            poll(Duration.ofMillis(100));
            return done.test(records);
        });
        return records;
    }

    /** Reads whatever arrives within {@code duration}. */
    List<ConsumerRecord<String, String>> drain(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            poll(Duration.ofMillis(50));
        }
        return records;
    }

    List<ConsumerRecord<String, String>> records() {
        return records;
    }

    private void poll(Duration timeout) {
        consumer.poll(timeout).forEach(records::add);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
