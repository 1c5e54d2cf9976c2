package dev.mesh.runtime;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts a mesh app with its own configuration file name ({@code chat-service.yml}, …)
 * instead of {@code application.yml}: several apps share one classpath in mesh-dev and in
 * end-to-end tests, and each must read only its own file (STACK.md).
 */
public final class MeshApplication {

    private MeshApplication() {
    }

    public static SpringApplicationBuilder builder(Class<?> app, String configName) {
        return new SpringApplicationBuilder(app).properties("spring.config.name=" + configName);
    }

    public static ConfigurableApplicationContext run(Class<?> app, String configName, String... args) {
        return builder(app, configName).run(args);
    }
}
