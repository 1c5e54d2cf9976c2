package dev.mesh.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/** The repository's deployment files and the external tools that render or validate them. */
final class RepoFiles {

    /** The repository root: the parent of this module's folder. */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private RepoFiles() {
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A tool on the PATH, or the test is skipped with a message saying so (never silently). */
    static Path requireTool(String... names) {
        for (String name : names) {
            Optional<Path> found = which(name);
            if (found.isPresent()) {
                return found.get();
            }
        }
        String message = "SKIPPED: " + String.join(" / ", names) + " not found on PATH; .ci/run installs it";
        System.err.println(message);
        Assumptions.abort(message);
        throw new IllegalStateException("unreachable");
    }

    static Optional<Path> which(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    record Result(int exitCode, String stdout, String stderr) {
    }

    static Result run(List<String> command) {
        try {
            Path out = Files.createTempFile("mesh-deploy", ".out");
            Path err = Files.createTempFile("mesh-deploy", ".err");
            Process process = new ProcessBuilder(new ArrayList<>(command))
                    .directory(ROOT.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish within 120 s");
            }
            Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
