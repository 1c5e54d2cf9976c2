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

cat > "$WORK/prometheus.yml" <<YAML
global: { scrape_interval: 5s, evaluation_interval: 5s }
scrape_configs:
  # "pod" is what the Kubernetes scrape configurations put on every series (docs/operations.md).
  - job_name: gateways
    metrics_path: /actuator/prometheus
    static_configs:
      - { targets: ["localhost:$GATEWAY_1_PORT"], labels: { pod: gateway-1 } }
      - { targets: ["localhost:$GATEWAY_2_PORT"], labels: { pod: gateway-2 } }
  - job_name: services
    metrics_path: /actuator/prometheus
    static_configs:
      - { targets: ["localhost:$CHAT_PORT"], labels: { pod: chat-service-1 } }
      - { targets: ["localhost:$QUIZ_PORT"], labels: { pod: quiz-service-1 } }
      - { targets: ["localhost:$PRESENCE_PORT"], labels: { pod: presence-service-1 } }
      - { targets: ["localhost:$NOTIFICATION_PORT"], labels: { pod: notification-service-1 } }
YAML

./mvnw -B -q -Prun -pl mesh-dev -am package -DskipTests > "$WORK/mesh.log" 2>&1 &
MESH=$!
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" > "$WORK/prometheus.log" 2>&1 &
PROM=$!
trap 'kill $PROM 2>/dev/null; pkill -TERM -P $MESH 2>/dev/null; kill $MESH 2>/dev/null; true' EXIT

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
