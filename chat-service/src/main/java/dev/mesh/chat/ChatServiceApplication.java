package dev.mesh.chat;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import dev.mesh.runtime.MeshApplication;

/** chat-service: rooms, membership and messages; owns the chat database. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ChatServiceApplication {

    /** Its configuration file is {@code chat-service.yml}, not {@code application.yml} (see {@link MeshApplication}). */
    public static final String CONFIG_NAME = "chat-service";

    public static void main(String[] args) {
        MeshApplication.run(ChatServiceApplication.class, CONFIG_NAME, args);
    }
}
