package dev.mesh.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;

/**
 * A child process of the benchmark: a JVM on this module's classpath (or any command), its
 * stderr in a log file, and a line protocol on stdin/stdout: the parent writes one JSON
 * request a line, the child answers each with one line {@code @@ <json>}; other stdout lines
 * go to the log. Closing stdin tells a child to exit.
 */
final class Child implements AutoCloseable {

    static final String REPLY = "@@ ";

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>();
    private volatile boolean ended;
    private volatile boolean signalOnClose;

    private Child(String name, Process process, Path log) throws IOException {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Writer logWriter = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name("child-" + name).start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 logWriter) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith(REPLY)) {
                        replies.add(MeshJson.mapper().readTree(line.substring(REPLY.length())));
                    } else {
                        logWriter.write(line);
                        logWriter.write('\n');
                        logWriter.flush();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // The process is gone; callers see it as a missing reply.
            } finally {
                ended = true;
            }
        });
    }

    /** A JVM running {@code mainClass} on this JVM's classpath. */
    static Child java(String name, Path logDir, List<String> jvmArgs, Class<?> mainClass, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(args);
        return start(name, logDir, command, Map.of(), null);
    }

    static Child start(String name, Path logDir, List<String> command, Map<String, String> env, Path workDir) throws IOException {
        Files.createDirectories(logDir);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(logDir.resolve(name + ".err.log").toFile());
        builder.environment().putAll(env);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        return new Child(name, builder.start(), logDir.resolve(name + ".log"));
    }

    /** Stops the process with SIGTERM on {@link #close()} instead of closing its stdin (apps that take no requests). */
    Child signalOnClose() {
        this.signalOnClose = true;
        return this;
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Sends a request and waits for its one reply. */
    JsonNode call(Object request, Duration timeout) {
        send(request);
        return await(timeout);
    }

    void send(Object request) {
        try {
            stdin.write(MeshJson.write(request));
            stdin.write('\n');
            stdin.flush();
        } catch (IOException e) {
            throw new IllegalStateException(name + " does not take requests any more (exited: " + !process.isAlive() + ")", e);
        }
    }

    JsonNode await(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                JsonNode reply = replies.poll(200, TimeUnit.MILLISECONDS);
                if (reply != null) {
                    if (reply.has("error")) {
                        throw new IllegalStateException(name + ": " + reply.get("error").asString());
                    }
                    return reply;
                }
                if (ended && replies.isEmpty()) {
                    throw new IllegalStateException(name + " ended without answering (see its log)");
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " did not answer within " + timeout.toSeconds() + " s");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        if (signalOnClose) {
            process.destroy();
        }
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroy();
                // Generous: the mesh's process stops its embedded PostgreSQL in its shutdown hook; killed, it leaves it behind.
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
