package dev.mesh.runtime;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcTransactionManagerAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;

import dev.mesh.runtime.command.CommandHandler;
import dev.mesh.runtime.command.CommandListener;
import dev.mesh.runtime.command.CommandProcessor;
import dev.mesh.runtime.kafka.KafkaPublisher;
import dev.mesh.runtime.kafka.MeshKafkaAutoConfiguration;
import dev.mesh.runtime.metrics.MeshMetricsProperties;
import dev.mesh.runtime.metrics.SqlGauges;
import dev.mesh.runtime.outbox.OutboxRelay;
import dev.mesh.runtime.store.DatabaseEventLoops;
import dev.mesh.runtime.store.IdempotencyStore;
import dev.mesh.runtime.store.Outbox;
import dev.mesh.runtime.store.StreamLog;
import dev.mesh.runtime.store.StreamSeq;
import dev.mesh.runtime.tracing.MeshTracing;
import dev.mesh.runtime.web.ProblemDetailsAdvice;
import dev.mesh.runtime.web.ServiceStatsController;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.ConnectionFactory;

/**
 * What a domain service (one with {@code mesh.service} set and its own database) gets: the
 * ordered command listener, idempotency, the outbox and its elected relay, seq allocation, the
 * stream event log and
 * problem+json errors.
 */
@AutoConfiguration(after = {R2dbcAutoConfiguration.class, R2dbcTransactionManagerAutoConfiguration.class,
        MeshKafkaAutoConfiguration.class})
@ConditionalOnClass(DatabaseClient.class)
@ConditionalOnExpression("!'${mesh.service:}'.isBlank()")
@EnableConfigurationProperties({MeshProperties.class, MeshMetricsProperties.class})
public class MeshServiceAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock meshClock() {
        return Clock.systemUTC();
    }

    /** Spreads the driver's connections over event loops (before the ConnectionFactory exists, hence no condition on it). */
    @Bean
    @ConditionalOnClass(name = "io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider")
    DatabaseEventLoops meshDatabaseEventLoops(MeshProperties mesh) {
        return new DatabaseEventLoops(mesh.database().ioThreads());
    }

    @Bean
    @ConditionalOnBean(ConnectionFactory.class)
    Outbox outbox(DatabaseClient db) {
        return new Outbox(db);
    }

    @Bean
    @ConditionalOnBean(ConnectionFactory.class)
    IdempotencyStore idempotencyStore(DatabaseClient db) {
        return new IdempotencyStore(db);
    }

    @Bean
    @ConditionalOnBean(ConnectionFactory.class)
    StreamSeq streamSeq(DatabaseClient db) {
        return new StreamSeq(db);
    }

    @Bean
    @ConditionalOnBean(ConnectionFactory.class)
    StreamLog streamLog(DatabaseClient db) {
        return new StreamLog(db);
    }

    @Bean
    @ConditionalOnBean(ConnectionFactory.class)
    TransactionalOperator meshTransactions(ReactiveTransactionManager transactionManager) {
        return TransactionalOperator.create(transactionManager);
    }

    @Bean
    @ConditionalOnBean(ConnectionFactory.class)
    CommandProcessor commandProcessor(ObjectProvider<CommandHandler> handlers, IdempotencyStore idempotency, Outbox outbox,
                                      StreamLog streamLog, TransactionalOperator meshTransactions, KafkaPublisher publisher,
                                      MeshProperties properties, MeterRegistry meters, Clock meshClock) {
        return new CommandProcessor(handlers.orderedStream().toList(), idempotency, outbox, streamLog, meshTransactions, publisher,
                properties.commands(), meters, meshClock);
    }

    @Bean
    @ConditionalOnBean(CommandProcessor.class)
    CommandListener commandListener(CommandProcessor processor, MeshProperties properties, MeshTracing tracing) {
        return new CommandListener(processor, properties.commands(), tracing);
    }

    @Bean
    @ConditionalOnBean(ConnectionFactory.class)
    OutboxRelay outboxRelay(ConnectionFactory connectionFactory, KafkaTemplate<String, String> kafkaTemplate,
                            MeshProperties properties, MeterRegistry meters, MeshTracing tracing) {
        return new OutboxRelay(connectionFactory, kafkaTemplate, properties.outbox(), meters, tracing);
    }

    /** Age of the oldest unpublished outbox row: how far the service's events lag behind its commits. */
    @Bean
    @ConditionalOnBean(ConnectionFactory.class)
    SqlGauges.Query meshOutboxLag() {
        return new SqlGauges.Query("mesh.outbox.lag.seconds",
                "Age of the oldest unpublished outbox row (0 when none waits)", null, """
                SELECT COALESCE(EXTRACT(EPOCH FROM now() - (SELECT created_at FROM mesh_outbox
                    WHERE published_at IS NULL ORDER BY id LIMIT 1)), 0)""");
    }

    @Bean
    @ConditionalOnBean(ConnectionFactory.class)
    SqlGauges meshSqlGauges(DatabaseClient db, MeterRegistry meters, ObjectProvider<SqlGauges.Query> queries,
                            MeshMetricsProperties metrics) {
        return new SqlGauges(db, meters, queries.orderedStream().toList(), metrics.pollInterval());
    }

    @Bean
    @ConditionalOnBean(ConnectionFactory.class)
    ServiceStatsController serviceStatsController(SqlGauges gauges, MeshProperties properties) {
        return new ServiceStatsController(properties.service(), properties.instanceId(), gauges);
    }

    @Bean
    ProblemDetailsAdvice problemDetailsAdvice() {
        return new ProblemDetailsAdvice();
    }
}
