package dev.mesh.gateway;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import dev.mesh.runtime.MeshApplication;

/** The edge of the mesh: client WebSockets, HTTP routes to the services, the web client. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    public static final String CONFIG_NAME = "gateway-service";

    public static void main(String[] args) {
        MeshApplication.run(GatewayApplication.class, CONFIG_NAME, args);
    }
}
