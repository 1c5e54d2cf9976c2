package dev.mesh.presence;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import dev.mesh.runtime.MeshApplication;

/** Presence: multi-device, crash-accurate status. The domain is issue 6; today the app answers its commands "not available yet". */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PresenceServiceApplication {

    public static final String CONFIG_NAME = "presence-service";

    public static void main(String[] args) {
        MeshApplication.run(PresenceServiceApplication.class, CONFIG_NAME, args);
    }
}
