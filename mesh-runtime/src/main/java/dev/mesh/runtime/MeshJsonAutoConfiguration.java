package dev.mesh.runtime;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;

import dev.mesh.contracts.MeshJson;

/** The HTTP APIs write and read JSON with the same settings as the wire and Kafka ({@link MeshJson}). */
@AutoConfiguration
public class MeshJsonAutoConfiguration {

    @Bean
    JsonMapperBuilderCustomizer meshJsonSettings() {
        return MeshJson::configure;
    }
}
