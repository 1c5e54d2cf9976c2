#!/usr/bin/env bash
# Smoke test of the compose mesh (docs/compose.md): build the images, start everything, wait
# for every healthcheck, probe the public endpoints, get a token from Keycloak and call an API
# through the load balancer with it, then stop and remove the containers and volumes.
#
#   deploy/compose/smoke-test.sh            # KEEP=1 leaves the mesh running afterwards
#
# Without a reachable Docker engine it prints a SKIPPED line and exits 0, so it can run
# anywhere (CI machines without Docker, sandboxes).
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
  echo "SKIPPED: no Docker engine (compose smoke test not run)"
  exit 0
fi

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose -f docker-compose.yml)
  has_wait=1
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose -f docker-compose.yml)   # 1.29 has no `up --wait`: polled below
  has_wait=0
else
  echo "FAILED: neither 'docker compose' nor 'docker-compose' is installed" >&2
  exit 1
fi

LB=http://localhost:8000
KC=http://localhost:8180
TIMEOUT_S=${SMOKE_TIMEOUT_S:-420}

cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "--- smoke test failed; status and recent logs:" >&2
    "${compose[@]}" ps >&2 || true
    "${compose[@]}" logs --tail=40 >&2 || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then
    echo "KEEP=1: the mesh keeps running ('${compose[*]} down -v' stops it)"
  else
    "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
  fi
  exit "$rc"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

# expect <status> <url> [curl args…]: the HTTP status must match.
expect() {
  local want="$1" url="$2"; shift 2
  local got
  got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$url" || true)
  [ "$got" = "$want" ] || fail "$url answered $got, expected $want"
  echo "ok  $want  $url"
}

step "build the images"
"${compose[@]}" build

step "start the mesh and wait for every healthcheck"
if [ "$has_wait" = 1 ]; then
  "${compose[@]}" up -d --wait --wait-timeout "$TIMEOUT_S"
else
  "${compose[@]}" up -d
  deadline=$(( $(date +%s) + TIMEOUT_S ))
  for svc in $("${compose[@]}" config --services); do
    while :; do
      id=$("${compose[@]}" ps -q "$svc")
      state=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id" 2>/dev/null || echo missing)
      [ "$state" = healthy ] && { echo "ok  healthy  $svc"; break; }
      [ "$(date +%s)" -lt "$deadline" ] || fail "$svc is '$state' after ${TIMEOUT_S}s"
      sleep 3
    done
  done
fi

step "health endpoints"
expect 200 "$LB/lb/health"
expect 200 "$LB/actuator/health/readiness"
expect 200 "http://localhost:8080/actuator/health/readiness"
expect 200 "http://localhost:8081/actuator/health/liveness"
expect 200 "$KC/realms/mesh/.well-known/openid-configuration"
expect 200 "http://localhost:8025/readyz"
for svc in chat-service quiz-service presence-service notification-service; do
  "${compose[@]}" exec -T "$svc" curl -fsS -o /dev/null http://127.0.0.1:8080/actuator/health/readiness \
    || fail "$svc is not ready"
  echo "ok  200  $svc /actuator/health/readiness (inside the network)"
done

step "issuer as the apps expect it"
issuer=$(curl -fsS "$KC/realms/mesh/.well-known/openid-configuration" | sed -n 's/.*"issuer":"\([^"]*\)".*/\1/p')
[ "$issuer" = "$KC/realms/mesh" ] || fail "Keycloak's issuer is '$issuer', expected $KC/realms/mesh"
echo "ok  issuer $issuer"

step "token for ada (mesh-cli, password grant — dev only) and an API call through the LB"
token=$(curl -fsS "$KC/realms/mesh/protocol/openid-connect/token" \
  -d grant_type=password -d client_id=mesh-cli -d client_secret=mesh-cli-dev-only-secret \
  -d username=ada -d password=ada-dev-only -d scope=openid \
  | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || fail "no access token from Keycloak"
payload=$(printf '%s' "$token" | cut -d. -f2 | tr '_-' '/+')
while [ $(( ${#payload} % 4 )) -ne 0 ]; do payload="$payload="; done
claims=$(printf '%s' "$payload" | base64 -d 2>/dev/null || true)
case "$claims" in *'"instructor"'*) ;; *) fail "token has no instructor role: $claims" ;; esac
case "$claims" in *'"mesh"'*) ;; *) fail "token has no mesh audience: $claims" ;; esac
echo "ok  token carries roles and audience mesh"
expect 401 "$LB/api/chat/rooms"
expect 200 "$LB/api/chat/rooms" -H "Authorization: Bearer $token"

echo
echo "PASSED: compose smoke test"
