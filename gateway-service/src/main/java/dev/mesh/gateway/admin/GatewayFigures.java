package dev.mesh.gateway.admin;

import org.springframework.stereotype.Component;

import dev.mesh.gateway.socket.SessionRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * This instance's figures for the admins' cluster stats, read from what it already counts: its
 * sockets ({@code mesh.gateway.connections}) and the totals of {@code mesh.gateway.frames.in} and
 * {@code mesh.gateway.frames.out} over every frame type, since this boot started.
 */
@Component
public class GatewayFigures {

    private final SessionRegistry registry;
    private final MeterRegistry meters;

    public GatewayFigures(SessionRegistry registry, MeterRegistry meters) {
        this.registry = registry;
        this.meters = meters;
    }

    public int connections() {
        return registry.size();
    }

    public long framesIn() {
        return total("mesh.gateway.frames.in");
    }

    public long framesOut() {
        return total("mesh.gateway.frames.out");
    }

    private long total(String counter) {
        double sum = 0;
        for (Counter c : meters.find(counter).counters()) {
            sum += c.count();
        }
        return (long) sum;
    }
}
