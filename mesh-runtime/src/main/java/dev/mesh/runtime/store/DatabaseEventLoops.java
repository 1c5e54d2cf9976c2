package dev.mesh.runtime.store;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer;

import io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider;
import io.r2dbc.spi.ConnectionFactoryOptions;
import reactor.netty.resources.LoopResources;

/**
 * The PostgreSQL driver's connections spread over event loops of their own. By default Reactor
 * Netty places a new connection on the event loop of the thread that opens it (colocation); a pool
 * growing from inside a query's continuation thus put every connection of every pool on one
 * thread — all database work of the process, and the handlers running on its results, on one core.
 * A thread dump during the benchmark showed it (one driver thread busy, the other at 3 ms of CPU);
 * that thread was not saturated then, so this alone did not explain the low persisted-chat rate.
 * Without colocation each new connection takes the next loop in turn.
 */
public final class DatabaseEventLoops implements ConnectionFactoryOptionsBuilderCustomizer, DisposableBean {

    private final LoopResources loops;

    /** @param threads event-loop threads for the driver's connections; 0: one per available processor */
    public DatabaseEventLoops(int threads) {
        int count = threads > 0 ? threads : Math.max(2, Runtime.getRuntime().availableProcessors());
        this.loops = LoopResources.create("mesh-r2dbc", 1, count, true, false);
    }

    @Override
    public void customize(ConnectionFactoryOptions.Builder options) {
        options.option(PostgresqlConnectionFactoryProvider.LOOP_RESOURCES, loops);
    }

    @Override
    public void destroy() {
        loops.disposeLater().subscribe();
    }
}
