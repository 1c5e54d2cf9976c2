#!/usr/bin/env bash
# Creates one database per service, each owned by its own login role (ARCHITECTURE §1: every
# service has its own PostgreSQL database; no service can open another's).
#
# Run once by the postgres image's entrypoint, on the first start with an empty data volume
# (`docker compose down -v` to run it again). Passwords come from the environment that
# docker-compose.yml passes in (<SERVICE>_DB_PASSWORD); their defaults there are DEV-ONLY.
# No `set -u`: if the file is sourced (not executable), options leak into the entrypoint.
set -eo pipefail

create_service_db() {
  local name="$1" password="$2"
  if [ -z "$password" ]; then
    echo "10-mesh-databases: no password for database '$name'" >&2
    return 1
  fi
  echo "10-mesh-databases: creating role and database '$name'"
  # psql variables (:"name", :'pw') quote the identifier and the literal. The password is read
  # from the environment with \getenv (psql 15+), so it is on no command line and in no log.
  MESH_INIT_DB_PASSWORD="$password" \
  psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-postgres}" \
       -v name="$name" <<'SQL'
\getenv pw MESH_INIT_DB_PASSWORD
CREATE ROLE :"name" LOGIN PASSWORD :'pw';
CREATE DATABASE :"name" OWNER :"name" ENCODING 'UTF8';
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
GRANT ALL ON DATABASE :"name" TO :"name";
SQL
}

create_service_db chat         "${CHAT_DB_PASSWORD:-}"
create_service_db quiz         "${QUIZ_DB_PASSWORD:-}"
create_service_db presence     "${PRESENCE_DB_PASSWORD:-}"
create_service_db notification "${NOTIFICATION_DB_PASSWORD:-}"
