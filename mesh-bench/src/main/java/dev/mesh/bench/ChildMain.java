package dev.mesh.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;

/** The child side of {@link Child}'s line protocol. */
final class ChildMain {

    /** stdout as the JVM started: logging may replace System.out. */
    private static final PrintStream OUT = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
            StandardCharsets.UTF_8);

    private ChildMain() {
    }

    static void reply(Object answer) {
        String line = Child.REPLY + MeshJson.write(answer);
        synchronized (OUT) {
            OUT.println(line);
        }
    }

    /** Reads requests until stdin closes; each is handled on this thread. */
    static void serve(Consumer<JsonNode> handler) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode request = MeshJson.mapper().readTree(line);
                try {
                    handler.accept(request);
                } catch (RuntimeException e) {
                    reply(java.util.Map.of("error", String.valueOf(e)));
                }
            }
        } catch (IOException e) {
            // parent gone
        }
    }
}
