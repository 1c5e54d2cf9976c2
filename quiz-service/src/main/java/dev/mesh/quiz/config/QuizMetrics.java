package dev.mesh.quiz.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.mesh.runtime.metrics.SqlGauges;

/** quiz-service's gauges, read from its database by mesh-runtime's {@link SqlGauges}. */
@Configuration(proxyBeanMethods = false)
public class QuizMetrics {

    /** Quiz sessions not yet completed or cancelled (in the lobby, a question, a reveal or paused). */
    @Bean
    SqlGauges.Query quizLiveSessions() {
        return new SqlGauges.Query("mesh.quiz.sessions.live", "Quiz sessions not completed or cancelled",
                null, "SELECT count(*) FROM quiz_sessions WHERE state NOT IN ('completed', 'cancelled')");
    }
}
