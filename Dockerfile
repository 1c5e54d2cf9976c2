# syntax=docker/dockerfile:1
#
# One image recipe for every mesh app, chosen by the MODULE build argument:
#
#   docker build --build-arg MODULE=chat-service -t mesh/chat-service:0.1.0 .
#
# MODULE is one of gateway-service, chat-service, quiz-service, presence-service,
# notification-service. The build context is the repository root (the Maven reactor);
# .dockerignore keeps target/, .git and .mesh-data out of it.
#
# The images carry no secrets and no configuration beyond JVM sizing and the port: everything
# else (issuer, database URL and credentials, Kafka) comes from environment variables at run
# time (docs/configuration.md, docker-compose.yml).

# Base images. Major version + distribution tags (never `latest`); for a fully reproducible
# build pin them by patch or digest, e.g.
#   --build-arg JRE_IMAGE=eclipse-temurin:21.0.12_8-jre-noble  (or …@sha256:<digest>)
ARG JDK_IMAGE=eclipse-temurin:21-jdk-noble
ARG JRE_IMAGE=eclipse-temurin:21-jre-noble

# ---------------------------------------------------------------------------------------------
# 1. Build the module (and the modules it needs) and explode its runnable jar into layers.
# ---------------------------------------------------------------------------------------------
FROM ${JDK_IMAGE} AS build
ARG MODULE
WORKDIR /src

# The whole reactor (filtered by .dockerignore): `-am` builds the modules MODULE depends on.
COPY . .

# The Maven repository (and the wrapper's Maven distribution under ~/.m2/wrapper) live in a
# BuildKit cache mount: shared by the five module builds and kept between builds, never part of
# an image layer. `sharing=locked` serialises the Maven step of parallel builds (compose builds
# the apps in parallel; Maven's local repository is not safe for concurrent writers).
# The runnable jar carries the classifier `exec` (root pom); the plain jar is what dependents
# such as mesh-dev use.
RUN --mount=type=cache,target=/root/.m2,sharing=locked \
    set -eu; \
    test -n "${MODULE:-}" || { echo "build with --build-arg MODULE=<app module>, e.g. chat-service" >&2; exit 1; }; \
    test -f "${MODULE}/pom.xml" || { echo "no such module: ${MODULE}" >&2; exit 1; }; \
    chmod +x mvnw; \
    ./mvnw -B -q -pl "${MODULE}" -am package -DskipTests; \
    cp "${MODULE}"/target/"${MODULE}"-*-exec.jar /tmp/app.jar

# Spring Boot's tools jar mode splits the jar by layers.idx into dependencies,
# spring-boot-loader, snapshot-dependencies and application, laid out for JarLauncher.
RUN java -Djarmode=tools -jar /tmp/app.jar extract --layers --launcher --destination /layers

# ---------------------------------------------------------------------------------------------
# 2. Runtime: JRE only, non-root, layers ordered from least to most often changed.
# ---------------------------------------------------------------------------------------------
FROM ${JRE_IMAGE} AS runtime
ARG MODULE

LABEL org.opencontainers.image.title="mesh/${MODULE}" \
      org.opencontainers.image.description="mesh ${MODULE} (reactive real-time mesh for education platforms)" \
      org.opencontainers.image.version="0.1.0"

# A fixed, unprivileged uid/gid (10001) so Kubernetes' runAsNonRoot/runAsUser and volume
# permissions can rely on it. No home directory, no login shell.
RUN groupadd --system --gid 10001 mesh \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin mesh

WORKDIR /app

# Dependencies first: they change least, so their layer is reused across most rebuilds.
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./

# Container-sized JVM defaults (replace the whole variable to change them):
# - MaxRAMPercentage=75: heap follows the container's memory limit, leaving a quarter for
#   metaspace, thread stacks, Netty's direct buffers and the Kafka clients.
# - ExitOnOutOfMemoryError: a JVM out of memory exits and the orchestrator restarts it, rather
#   than limping on half-broken.
# - reactor.netty.ioWorkerCount=2: Reactor Netty sizes its event-loop group by the CPUs the JVM
#   sees (at least 4) — on a host without a CPU limit that is every host core, per app. The
#   event loops only do non-blocking I/O (blocking work runs on Kafka's container threads and
#   boundedElastic), so two per container are enough; scale out with instances instead.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Dreactor.netty.ioWorkerCount=2" \
    SERVER_PORT=8080
# SERVER_PORT (Spring's server.port) outranks the per-app placeholders in the yml files
# (CHAT_PORT:8101, GATEWAY_PORT:8080, …): every app listens on 8080 inside its container.

EXPOSE 8080

USER 10001:10001

# Liveness only (is the JVM serving HTTP?); readiness is the orchestrator's business
# (compose healthchecks and Kubernetes probes use /actuator/health/readiness).
# eclipse-temurin's Ubuntu images ship curl (and wget), so no extra package is installed.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${SERVER_PORT:-8080}/actuator/health/liveness" || exit 1

# Exec form: java is PID 1 and receives SIGTERM directly (graceful shutdown, 20 s per phase).
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
