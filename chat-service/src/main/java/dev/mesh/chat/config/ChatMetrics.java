package dev.mesh.chat.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.mesh.runtime.metrics.SqlGauges;

/** chat-service's gauges, read from its database by mesh-runtime's {@link SqlGauges}. */
@Configuration(proxyBeanMethods = false)
public class ChatMetrics {

    /** Rooms that exist (every type, direct messages included): the admins' live stats show it. */
    @Bean
    SqlGauges.Query chatRooms() {
        return new SqlGauges.Query("mesh.chat.rooms", "Rooms that exist, by type", "type",
                "SELECT type, count(*) FROM chat_rooms GROUP BY type");
    }
}
