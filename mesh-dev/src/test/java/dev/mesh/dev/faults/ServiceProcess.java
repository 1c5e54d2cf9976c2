package dev.mesh.dev.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;

import dev.mesh.dev.MeshLauncher;

/**
 * One instance of a mesh service run as a JVM of its own, so that a test can kill it as a crash
 * does: {@link #kill()} is SIGKILL ({@link Process#destroyForcibly()}), no shutdown hook, no
 * graceful phase, in-flight work lost. The JVM is this test JVM's {@code java} with its classpath,
 * the service's main class and the arguments {@link MeshLauncher} gives the in-JVM instances
 * (same Kafka, same database, same consumer group), tuned to start fast on few cores (C1 only,
 * class data sharing, a small heap). Its Kafka consumers' client ids start with {@code name},
 * so the consumer group tells which partitions it owns. Output goes to {@code target/<name>.log}.
 */
final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final MeshLauncher.Service service;
    private final String bootstrapServers;
    private final int port;
    private final List<String> command = new ArrayList<>();
    private final Path log;
    private volatile Process process;

    ServiceProcess(MeshLauncher launcher, MeshLauncher.Service service, String name, String bootstrapServers) {
        this.name = name;
        this.service = service;
        this.bootstrapServers = bootstrapServers;
        this.port = FaultMesh.freePort();
        this.log = Path.of("target", name + ".log");
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC",
                "-Xss512k", "-Dreactor.netty.ioWorkerCount=2", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                ChildMain.class.getName(), MeshLauncher.mainClass(service).getName()));
        String clientId = "--spring.kafka.consumer.client-id=";
        // Its own client id instead of the in-JVM instance's (a repeated argument would be read as a list).
        launcher.launchArguments(service, port).stream().filter(a -> !a.startsWith(clientId)).forEach(command::add);
        command.add(clientId + name);
    }

    int port() {
        return port;
    }

    /** Starts the JVM; does not wait for the service (see {@link #awaitUp}). */
    synchronized ServiceProcess start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " runs already");
        }
        try {
            Files.createDirectories(log.getParent());
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Waits until the service accepts HTTP connections (its web server starts last). */
    void awaitUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Process running = process;
            if (running == null || !running.isAlive()) {
                throw new IllegalStateException(name + " is not running (exit " + (running == null ? "-" : running.exitValue())
                        + "); see " + log.toAbsolutePath());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("localhost", port), 500);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " did not come up within " + timeout + "; see " + log.toAbsolutePath());
                }
                LoadUnderFault.pause(200);
            }
        }
    }

    /** SIGKILL; returns the pid that was killed once it is gone. */
    long kill() {
        Process running = process;
        running.destroyForcibly();
        try {
            if (!running.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + running.pid() + ") did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return running.pid();
    }

    long pid() {
        return process.pid();
    }

    /**
     * The partitions of {@code topic} assigned to this instance's consumers in the service's
     * consumer group ({@code <service>-service}), as the group coordinator reports them.
     */
    List<TopicPartition> ownedPartitions(String topic) {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        String group = service.name().toLowerCase(java.util.Locale.ROOT) + "-service";
        try (Admin admin = Admin.create(config)) {
            Map<String, ConsumerGroupDescription> groups = admin.describeConsumerGroups(List.of(group)).all().get(15, TimeUnit.SECONDS);
            List<TopicPartition> owned = new ArrayList<>();
            for (MemberDescription member : groups.get(group).members()) {
                if (member.clientId().startsWith(name)) {
                    member.assignment().topicPartitions().stream().filter(p -> p.topic().equals(topic)).forEach(owned::add);
                }
            }
            owned.sort(java.util.Comparator.comparingInt(TopicPartition::partition));
            return owned;
        } catch (Exception e) {
            throw new IllegalStateException("cannot describe the consumer group " + group, e);
        }
    }

    @Override
    public void close() {
        Process running = process;
        if (running != null && running.isAlive()) {
            running.destroyForcibly();
        }
    }

    /**
     * The child's main: ends the JVM when its parent (the test JVM) is gone, however it ended,
     * then runs the service's own main.
     */
    public static final class ChildMain {

        public static void main(String[] args) throws Exception {
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) java.util.Arrays.copyOfRange(args, 1, args.length));
        }
    }
}
