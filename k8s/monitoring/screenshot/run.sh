#!/bin/sh
# Makes docs/screenshots/dashboard.png: the Grafana dashboard's panels, rendered from a Prometheus
# that scraped a mesh-dev run under traffic (README.md beside this file). Needs a JDK 21+,
# python3, chromium and Debian's prometheus package; runs from the repository root:
#   k8s/monitoring/screenshot/run.sh [minutes of traffic, default 12]
set -eu
MINUTES=${1:-12}
HERE=k8s/monitoring/screenshot
WORK=$(mktemp -d)
# Ports away from mesh-dev's defaults, so a mesh already running is left alone.
export GATEWAY_1_PORT=18080 GATEWAY_2_PORT=18081 LB_PORT=18000 DEV_ISSUER_PORT=19000 \
       MESH_KAFKA_PORT=29092 MESH_PG_PORT=25432 MESH_SMTP_PORT=12525 \
       CHAT_PORT=18101 QUIZ_PORT=18102 PRESENCE_PORT=18103 NOTIFICATION_PORT=18104 \
       MESH_DATA_DIR="$WORK/mesh-data" MESH_OPEN_BROWSER=false
PROMETHEUS_PORT=19090
PROXY_PORT=19190

# Every target is scraped through scrape_proxy.py (see there why); "pod" is what the Kubernetes
# scrape configurations put on every series (docs/operations.md).
target() { echo "      - { targets: [\"127.0.0.1:$PROXY_PORT\"], labels: { pod: $2, __metrics_path__: /$1/actuator/prometheus } }"; }
{
  echo "global: { scrape_interval: 5s, evaluation_interval: 5s }"
  echo "scrape_configs:"
  echo "  - job_name: gateways"
  echo "    static_configs:"
  target "$GATEWAY_1_PORT" gateway-1
  target "$GATEWAY_2_PORT" gateway-2
  echo "  - job_name: services"
  echo "    static_configs:"
  target "$CHAT_PORT" chat-service-1
  target "$QUIZ_PORT" quiz-service-1
  target "$PRESENCE_PORT" presence-service-1
  target "$NOTIFICATION_PORT" notification-service-1
} > "$WORK/prometheus.yml"

./mvnw -B -q -Prun -pl mesh-dev -am package -DskipTests > "$WORK/mesh.log" 2>&1 &
MESH=$!
python3 "$HERE/scrape_proxy.py" "$PROXY_PORT" &
PROXY=$!
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" > "$WORK/prometheus.log" 2>&1 &
PROM=$!
# Stops a process and everything it started (Maven runs the mesh as a child JVM), children first.
stop_tree() {
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do stop_tree "$child"; done
  kill -TERM "$1" 2>/dev/null || true
}
trap 'kill $PROM $PROXY 2>/dev/null; stop_tree $MESH' EXIT

echo "waiting for the mesh (log: $WORK/mesh.log)"
until grep -q "The mesh is up" "$WORK/mesh.log"; do
  kill -0 $MESH 2>/dev/null || { tail -50 "$WORK/mesh.log"; exit 1; }
  sleep 5
done
echo "traffic for $MINUTES min"
java "$HERE/Traffic.java" "http://localhost:$GATEWAY_1_PORT" "http://localhost:$GATEWAY_2_PORT" \
  "http://localhost:$DEV_ISSUER_PORT" "$MINUTES"
mkdir -p docs/screenshots
python3 "$HERE/render_dashboard.py" --prometheus "http://127.0.0.1:$PROMETHEUS_PORT" --minutes "$MINUTES" \
  --html "$WORK/dashboard.html" --png docs/screenshots/dashboard.png
echo "docs/screenshots/dashboard.png written"
