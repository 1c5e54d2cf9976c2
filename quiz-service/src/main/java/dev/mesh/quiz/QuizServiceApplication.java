package dev.mesh.quiz;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import dev.mesh.runtime.MeshApplication;

/** Live quiz: authoring and server-timed sessions. The domain is issue 5; today the app answers its commands "not available yet". */
@SpringBootApplication
@ConfigurationPropertiesScan
public class QuizServiceApplication {

    public static final String CONFIG_NAME = "quiz-service";

    public static void main(String[] args) {
        MeshApplication.run(QuizServiceApplication.class, CONFIG_NAME, args);
    }
}
