package dev.mesh.gateway.presence;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.mesh.runtime.MeshProperties;

/** The gateway's identity for presence: one {@link GatewayIdentity} (one boot id) per application context. */
@Configuration(proxyBeanMethods = false)
class PresenceConfiguration {

    @Bean
    GatewayIdentity gatewayIdentity(MeshProperties mesh) {
        return GatewayIdentity.of(mesh);
    }
}
