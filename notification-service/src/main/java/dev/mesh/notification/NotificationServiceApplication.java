package dev.mesh.notification;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import dev.mesh.runtime.MeshApplication;

/** Notifications: in-app (a seq stream per user) and email (an SMTP outbox with retries and digests). */
@SpringBootApplication
@ConfigurationPropertiesScan
public class NotificationServiceApplication {

    public static final String CONFIG_NAME = "notification-service";

    public static void main(String[] args) {
        MeshApplication.run(NotificationServiceApplication.class, CONFIG_NAME, args);
    }
}
