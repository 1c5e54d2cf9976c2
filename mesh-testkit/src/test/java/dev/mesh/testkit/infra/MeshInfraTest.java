package dev.mesh.testkit.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class MeshInfraTest {

    private final MeshInfra infra = MeshInfra.get();

    @Test
    void runsEmbeddedWhereNoDockerEngineAnswers() {
        // This machine has no Docker engine (STACK.md); elsewhere the mode may differ.
        if (System.getenv("MESH_INFRA") == null && System.getProperty("mesh.infra") == null) {
            assertThat(infra.mode()).isIn(MeshInfra.EMBEDDED, MeshInfra.TESTCONTAINERS);
        }
        assertThat(MeshInfra.get()).isSameAs(infra);
    }

    @Test
    void aRecordTravelsThroughTheBrokerWithTransactionsEnabled() throws Exception {
        String topic = "testkit-" + UUID.randomUUID();
        Map<String, Object> producerConfig = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "testkit-" + UUID.randomUUID(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "room-1", "hello")).get();
            producer.commitTransaction();
        }
        Map<String, Object> consumerConfig = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "testkit-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            ConsumerRecord<String, String> received = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (received == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    received = record;
                }
            }
            assertThat(received).isNotNull();
            assertThat(received.key()).isEqualTo("room-1");
            assertThat(received.value()).isEqualTo("hello");
            // Auto-created topics get the broker's num.partitions.
            assertThat(consumer.partitionsFor(topic)).hasSize(3);
        }
    }

    @Test
    void eachNameGetsItsOwnDatabaseAndAskingTwiceIsHarmless() throws Exception {
        MeshInfra.Database chat = infra.database("testkit_chat");
        MeshInfra.Database quiz = infra.database("testkit_quiz");
        assertThat(infra.database("testkit_chat")).isEqualTo(chat);
        assertThat(chat.jdbcUrl()).endsWith("/testkit_chat");
        assertThat(chat.r2dbcUrl()).startsWith("r2dbc:postgresql://").endsWith("/testkit_chat");

        for (MeshInfra.Database db : List.of(chat, quiz)) {
            try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS marker (name text)");
                statement.execute("INSERT INTO marker VALUES ('" + db.name() + "')");
                try (ResultSet rows = statement.executeQuery("SELECT current_database(), (SELECT string_agg(DISTINCT name, ',') FROM marker)")) {
                    assertThat(rows.next()).isTrue();
                    assertThat(rows.getString(1)).isEqualTo(db.name());
                    // Nothing from the other database is visible here.
                    assertThat(rows.getString(2)).isEqualTo(db.name());
                }
            }
        }
    }
}
