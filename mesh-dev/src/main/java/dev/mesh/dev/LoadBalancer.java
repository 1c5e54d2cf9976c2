package dev.mesh.dev;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * A TCP round-robin load balancer over the healthy gateway instances, for new connections
 * only (what a cloud L4 balancer does): an established WebSocket stays on its instance until
 * it closes. Health is each gateway's readiness probe, checked every second.
 */
final class LoadBalancer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

    private final List<Integer> backends;
    private final Set<Integer> healthy = ConcurrentHashMap.newKeySet();
    private final AtomicInteger next = new AtomicInteger();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final DisposableServer server;
    private final Disposable healthChecks;

    LoadBalancer(int port, List<Integer> backends) {
        this.backends = List.copyOf(backends);
        healthy.addAll(backends);
        this.healthChecks = Flux.interval(Duration.ofSeconds(1), Schedulers.boundedElastic())
                .doOnNext(tick -> checkHealth())
                .subscribe();
        this.server = TcpServer.create()
                .host("localhost")
                .port(port)
                .handle((in, out) -> {
                    Integer backend = pick();
                    if (backend == null) {
                        return Mono.empty();
                    }
                    return TcpClient.create().host("localhost").port(backend).connect()
                            .flatMap(upstream -> pipe(in, out, upstream))
                            .onErrorResume(e -> Mono.empty());
                })
                .bindNow();
    }

    private static Mono<Void> pipe(reactor.netty.NettyInbound in, reactor.netty.NettyOutbound out, Connection upstream) {
        Mono<Void> toBackend = upstream.outbound().send(in.receive().retain()).then();
        Mono<Void> toClient = out.send(upstream.inbound().receive().retain()).then();
        return Mono.firstWithSignal(toBackend, toClient).doFinally(s -> upstream.dispose());
    }

    int port() {
        return server.port();
    }

    private Integer pick() {
        List<Integer> candidates = backends.stream().filter(healthy::contains).toList();
        if (candidates.isEmpty()) {
            return null;
        }
        return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
    }

    private void checkHealth() {
        for (int backend : backends) {
            boolean up;
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(
                                URI.create("http://localhost:" + backend + "/actuator/health/readiness"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
                up = response.statusCode() == 200;
            } catch (Exception e) {
                up = false;
            }
            if (up ? healthy.add(backend) : healthy.remove(backend)) {
                log.info("Load balancer: gateway on port {} is {}", backend, up ? "healthy" : "out of rotation");
            }
        }
    }

    @Override
    public void close() {
        healthChecks.dispose();
        server.disposeNow();
    }
}
