package dev.mesh.quiz;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import dev.mesh.runtime.MeshApplication;

/** Live quiz: authoring over HTTP, server-timed sessions driven by commands, results; owns the quiz database. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class QuizServiceApplication {

    public static final String CONFIG_NAME = "quiz-service";

    public static void main(String[] args) {
        MeshApplication.run(QuizServiceApplication.class, CONFIG_NAME, args);
    }
}
