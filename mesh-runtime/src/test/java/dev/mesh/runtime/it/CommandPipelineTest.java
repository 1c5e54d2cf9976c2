package dev.mesh.runtime.it;

import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import dev.mesh.contracts.kafka.Topics;
import dev.mesh.testkit.infra.MeshInfra;

/**
 * A runtime integration test that drives the command pipeline as a gateway does: it writes
 * command records to {@code rt.commands} and reads {@code gateway.deliveries} from the end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CommandPipelineTest extends RuntimeIntegrationTest {

    KafkaProducer<String, String> commands;
    KafkaReader deliveries;

    @BeforeAll
    void connect() {
        commands = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, MeshInfra.get().kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
        deliveries = KafkaReader.fromEnd(Topics.GATEWAY_DELIVERIES);
    }

    @AfterAll
    void disconnect() {
        commands.close();
        deliveries.close();
    }
}
