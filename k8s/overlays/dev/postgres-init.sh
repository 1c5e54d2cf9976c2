#!/bin/bash
# Runs once, on an empty data directory (docker-entrypoint-initdb.d): one database per
# service, each owned by its own role. Role names and passwords come from the Secrets
# <service>-db (see k8s/README.md); nothing is written here.
set -euo pipefail
for db in chat quiz presence notification; do
  user_var="${db^^}_DB_USERNAME"
  password_var="${db^^}_DB_PASSWORD"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
       -v db="$db" -v owner="${!user_var}" -v password="${!password_var}" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"owner";
SQL
done
