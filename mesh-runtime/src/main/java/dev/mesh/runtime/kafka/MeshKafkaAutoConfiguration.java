package dev.mesh.runtime.kafka;

import org.apache.kafka.clients.admin.NewTopic;
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

/** Kafka for every mesh app: the topics of the architecture and a non-blocking publisher. */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@EnableConfigurationProperties(MeshProperties.class)
public class MeshKafkaAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    KafkaPublisher kafkaPublisher(KafkaTemplate<String, String> template) {
        return new KafkaPublisher(template);
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
