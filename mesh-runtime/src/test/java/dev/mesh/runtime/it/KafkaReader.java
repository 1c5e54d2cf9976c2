package dev.mesh.runtime.it;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import dev.mesh.testkit.kafka.TopicConsumers;

/**
 * Reads a topic the way a gateway reads {@code gateway.deliveries}: every partition assigned,
 * no group, nothing committed; positioned before anything is sent. Keeps every record read.
 */
final class KafkaReader implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;
    private final List<ConsumerRecord<String, String>> records = new ArrayList<>();

    private KafkaReader(String topic, boolean fromEnd) {
        consumer = fromEnd ? TopicConsumers.fromEnd(topic) : TopicConsumers.fromBeginning(topic);
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
