package dev.mesh.presence.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.mesh.runtime.metrics.SqlGauges;

/** presence-service's gauges, read from its database by mesh-runtime's {@link SqlGauges}. */
@Configuration(proxyBeanMethods = false)
public class PresenceMetrics {

    /** Open sessions presence knows of, per gateway instance: compare with each gateway's {@code mesh.gateway.connections}. */
    @Bean
    SqlGauges.Query presenceSessions() {
        return new SqlGauges.Query("mesh.presence.sessions", "Open sessions known to presence, per gateway instance",
                "gateway", "SELECT instance_id, count(*) FROM presence_sessions GROUP BY instance_id");
    }

    /** Users shown online, away or busy (not offline): the admins' live stats show it. */
    @Bean
    SqlGauges.Query presenceUsersOnline() {
        return new SqlGauges.Query("mesh.presence.users.online", "Users whose published status is not offline", null,
                "SELECT count(*) FROM presence_users WHERE published_status <> 'offline'");
    }
}
