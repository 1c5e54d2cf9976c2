package dev.mesh.presence;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import dev.mesh.runtime.MeshApplication;

/** Presence: multi-device, crash-accurate status (FEATURES, Presence); owns the presence database. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PresenceServiceApplication {

    public static final String CONFIG_NAME = "presence-service";

    public static void main(String[] args) {
        MeshApplication.run(PresenceServiceApplication.class, CONFIG_NAME, args);
    }
}
