# Installs PostgreSQL if missing, starts a cluster on 127.0.0.1:5432 and exports SWITCHYARD_TEST_POSTGRES_URL.
# Sourced by .ci/run; also usable by hand: `source .ci/postgres.sh && swift test`.
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
pg_version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$pg_version main$"; then
  pg_createcluster "$pg_version" main >/dev/null
fi
pg_ctlcluster "$pg_version" main start 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p 5432 -q && break
  sleep 1
done
su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'switchyard'\"" >/dev/null
# The suite runs many tests at once, each with its own databases and connection pools: more than the default 100.
if [ "$(su postgres -c "psql -tAc 'show max_connections'")" -lt 400 ]; then
  su postgres -c "psql -q -c 'ALTER SYSTEM SET max_connections = 400'" >/dev/null
  pg_ctlcluster "$pg_version" main restart
  for _ in $(seq 1 30); do
    pg_isready -h 127.0.0.1 -p 5432 -q && break
    sleep 1
  done
fi
export SWITCHYARD_TEST_POSTGRES_URL="postgres://postgres:switchyard@127.0.0.1:5432/postgres?tlsmode=disable"
echo "PostgreSQL $pg_version ready on 127.0.0.1:5432"
