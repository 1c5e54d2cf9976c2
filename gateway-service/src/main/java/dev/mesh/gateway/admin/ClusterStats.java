package dev.mesh.gateway.admin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

import tools.jackson.core.JacksonException;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.presence.InstanceHeartbeat;
import dev.mesh.gateway.presence.GatewayIdentity;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The mesh's live figures for admins, as any gateway sees them (docs/operations.md, "Admin stats"):
 * <ul>
 * <li>per gateway instance, from the {@link InstanceHeartbeat}s every gateway sends to
 * {@code gateway.instances} every 5 s: sockets, and frames in/out per second (the difference of a
 * boot's last two heartbeats). This gateway reads every partition of that topic (assigned, no
 * group, nothing committed), starting a few records back so it knows its peers at once; an
 * instance silent for {@link InstanceHeartbeat#DEAD_AFTER_MS} is left out. Its own row shows its
 * live socket count.</li>
 * <li>per service, its database gauges from {@code GET <service>/internal/stats} (outbox lag;
 * presence's online users; chat's rooms), asked when a figure set is made; a service that does
 * not answer within {@code mesh.gateway.admin.service-timeout} is reported {@code up: false}.</li>
 * </ul>
 */
@Component
public class ClusterStats implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClusterStats.class);
    /** Records read back per partition at start: covers the last heartbeats of every live instance. */
    private static final int LOOK_BACK = 50;

    /** The last two heartbeats of an instance's current boot (previous is null after the first). */
    private record Beats(InstanceHeartbeat last, InstanceHeartbeat previous) {
    }

    private final ConsumerFactory<String, String> consumers;
    private final GatewayIdentity identity;
    private final GatewayFigures figures;
    private final AdminStatsProperties properties;
    private final WebClient http = WebClient.create();
    private final Map<String, Beats> instances = new ConcurrentHashMap<>();
    private volatile Consumer<String, String> consumer;
    private volatile boolean running;
    private Thread worker;

    public ClusterStats(ConsumerFactory<String, String> consumers, GatewayIdentity identity, GatewayFigures figures,
                        AdminStatsProperties properties) {
        this.consumers = consumers;
        this.identity = identity;
        this.figures = figures;
        this.properties = properties;
    }

    /** One figure set of the whole mesh: gateways from the heartbeats, services asked now. */
    public Mono<Map<String, Object>> snapshot() {
        return Flux.fromIterable(new TreeMap<>(properties.services()).entrySet())
                .flatMapSequential(service -> service(service.getKey(), service.getValue()))
                .collectList()
                .map(this::assemble);
    }

    private Mono<Map<String, Object>> service(String name, String baseUrl) {
        return http.get().uri(baseUrl + "/internal/stats").retrieve()
                .bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
                })
                .timeout(properties.serviceTimeout())
                .map(body -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("service", name);
                    row.put("up", true);
                    row.put("gauges", body.getOrDefault("gauges", Map.of()));
                    return row;
                })
                .onErrorResume(e -> {
                    log.debug("No stats from {}: {}", name, e.toString());
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("service", name);
                    row.put("up", false);
                    row.put("gauges", Map.of());
                    return Mono.just(row);
                });
    }

    private Map<String, Object> assemble(List<Map<String, Object>> services) {
        long now = System.currentTimeMillis();
        List<Map<String, Object>> gateways = new ArrayList<>();
        int connections = 0;
        double framesIn = 0;
        double framesOut = 0;
        boolean selfSeen = false;
        for (Beats beats : instances.values()) {
            InstanceHeartbeat last = beats.last();
            if (now - last.at() > InstanceHeartbeat.DEAD_AFTER_MS) {
                continue;
            }
            boolean self = identity.instanceId().equals(last.instanceId());
            selfSeen |= self;
            Map<String, Object> row = gateway(last.instanceId(), self ? figures.connections() : last.sessionCount(),
                    perSecond(beats, true), perSecond(beats, false), last.at(), self);
            gateways.add(row);
            connections += (int) row.get("connections");
            framesIn += (double) row.get("framesInPerSecond");
            framesOut += (double) row.get("framesOutPerSecond");
        }
        if (!selfSeen) {
            // Before this boot's first heartbeat came back from Kafka.
            gateways.add(gateway(identity.instanceId(), figures.connections(), 0.0, 0.0, now, true));
            connections += figures.connections();
        }
        gateways.sort(Comparator.comparing(row -> (String) row.get("instanceId")));

        Map<String, Object> outboxLag = new TreeMap<>();
        Double onlineUsers = null;
        Double rooms = null;
        for (Map<String, Object> service : services) {
            Map<?, ?> gauges = (Map<?, ?>) service.get("gauges");
            if (gauges.get("mesh.outbox.lag.seconds") instanceof Number lag) {
                outboxLag.put((String) service.get("service"), lag.doubleValue());
            }
            if (gauges.get("mesh.presence.users.online") instanceof Number online) {
                onlineUsers = online.doubleValue();
            }
            if (gauges.get("mesh.chat.rooms") instanceof Map<?, ?> byType) {
                rooms = byType.values().stream().mapToDouble(v -> ((Number) v).doubleValue()).sum();
            }
        }

        Map<String, Object> stats = new LinkedHashMap<>();
        // This instance's own figures, as before the cluster view.
        stats.put("instanceId", identity.instanceId());
        stats.put("bootId", identity.bootId());
        stats.put("connections", figures.connections());
        stats.put("at", now);
        stats.put("gateways", gateways);
        stats.put("totalConnections", connections);
        stats.put("framesInPerSecond", round(framesIn));
        stats.put("framesOutPerSecond", round(framesOut));
        stats.put("onlineUsers", onlineUsers == null ? null : onlineUsers.longValue());
        stats.put("rooms", rooms == null ? null : rooms.longValue());
        stats.put("outboxLagSeconds", outboxLag);
        stats.put("services", services);
        return stats;
    }

    private static Map<String, Object> gateway(String instanceId, int connections, double in, double out, long at,
                                               boolean self) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("instanceId", instanceId);
        row.put("connections", connections);
        row.put("framesInPerSecond", in);
        row.put("framesOutPerSecond", out);
        row.put("heartbeatAt", at);
        row.put("self", self);
        return row;
    }

    private static double perSecond(Beats beats, boolean in) {
        InstanceHeartbeat last = beats.last();
        InstanceHeartbeat previous = beats.previous();
        if (previous == null || last.at() <= previous.at()) {
            return 0.0;
        }
        long frames = in ? last.framesIn() - previous.framesIn() : last.framesOut() - previous.framesOut();
        return round(Math.max(0, frames) * 1000.0 / (last.at() - previous.at()));
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    void heard(InstanceHeartbeat heartbeat) {
        if (heartbeat.instanceId() == null || heartbeat.bootId() == null) {
            return;
        }
        instances.compute(heartbeat.instanceId(), (id, known) -> {
            if (known == null || !known.last().bootId().equals(heartbeat.bootId())) {
                return known != null && known.last().at() > heartbeat.at() ? known : new Beats(heartbeat, null);
            }
            return heartbeat.at() > known.last().at() ? new Beats(heartbeat, known.last()) : known;
        });
    }

    @Override
    public void start() {
        running = true;
        worker = Thread.ofPlatform().name("gateway-instances").daemon().start(this::run);
    }

    private void run() {
        while (running) {
            try (Consumer<String, String> c = consumers.createConsumer(null, "gateway-instances", null, properties())) {
                consumer = c;
                List<TopicPartition> partitions = c.partitionsFor(Topics.GATEWAY_INSTANCES, Duration.ofSeconds(30))
                        .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                c.assign(partitions);
                Map<TopicPartition, Long> ends = c.endOffsets(partitions);
                Map<TopicPartition, Long> begins = c.beginningOffsets(partitions);
                for (TopicPartition p : partitions) {
                    c.seek(p, Math.max(begins.getOrDefault(p, 0L), ends.getOrDefault(p, 0L) - LOOK_BACK));
                }
                while (running) {
                    for (ConsumerRecord<String, String> record : c.poll(Duration.ofMillis(500))) {
                        try {
                            heard(MeshJson.read(record.value(), InstanceHeartbeat.class));
                        } catch (JacksonException e) {
                            log.warn("Unreadable heartbeat at {}-{}@{}", record.topic(), record.partition(), record.offset());
                        }
                    }
                }
            } catch (WakeupException e) {
                // stopping
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("Instance heartbeat reader failed ({}); restarting", e.toString());
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    private static Properties properties() {
        Properties p = new Properties();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return p;
    }

    @Override
    public void stop() {
        running = false;
        Consumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (worker != null) {
            try {
                worker.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
