package dev.mesh.runtime.kafka;

import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;

import dev.mesh.contracts.kafka.Topics;
import dev.mesh.runtime.MeshProperties;
import dev.mesh.runtime.tracing.MeshTracing;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

/** Kafka for every mesh app: the topics of the architecture, a non-blocking publisher and trace propagation. */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@EnableConfigurationProperties(MeshProperties.class)
public class MeshKafkaAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    KafkaPublisher kafkaPublisher(KafkaTemplate<String, String> template) {
        return new KafkaPublisher(template);
    }

    /** Trace context through Kafka headers and the outbox; a no-op when tracing is off. */
    @Bean
    @ConditionalOnMissingBean
    MeshTracing meshTracing(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        return new MeshTracing(tracer.getIfAvailable(() -> Tracer.NOOP), propagator.getIfAvailable(() -> Propagator.NOOP));
    }

    /** In production Strimzi's KafkaTopic resources own the topics; locally we create them. */
    @Bean
    @ConditionalOnProperty(name = "mesh.kafka.create-topics", havingValue = "true", matchIfMissing = true)
    KafkaAdmin.NewTopics meshTopics(MeshProperties properties) {
        return new KafkaAdmin.NewTopics(Topics.ALL.stream()
                .map(name -> new NewTopic(name, properties.kafka().partitions(), properties.kafka().replicationFactor()))
                .toArray(NewTopic[]::new));
    }
}
