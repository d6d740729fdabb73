#!/bin/bash
# Entrypoint of local/postgres:15-bookworm, a small subset of the official
# postgres image's: on first start (empty $PGDATA) it runs initdb with
#   superuser  $POSTGRES_USER (default postgres), password $POSTGRES_PASSWORD
#   local      trust (unix socket inside the container)
#   host       $POSTGRES_HOST_AUTH_METHOD (default scram-sha-256) from anywhere
# creates database $POSTGRES_DB (default $POSTGRES_USER), runs
# /docker-entrypoint-initdb.d/*.sql and *.sh, then runs postgres in the
# foreground as the postgres user, listening on *:5432.
# Also read: POSTGRES_INITDB_ARGS (extra initdb arguments).
set -Eeuo pipefail

log() { printf '%s [entrypoint] %s\n' "$(date -u +'%Y-%m-%d %H:%M:%S UTC')" "$*" >&2; }

if [[ ${1:-} == -* ]]; then
    set -- postgres "$@"
fi

if [[ ${1:-} != postgres ]]; then
    exec "$@"
fi

if [[ $(id -u) == 0 ]]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chown postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    chmod 3777 /var/run/postgresql
    exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [[ ! -s $PGDATA/PG_VERSION ]]; then
    : "${POSTGRES_USER:=postgres}"
    : "${POSTGRES_DB:=$POSTGRES_USER}"
    : "${POSTGRES_PASSWORD:=}"
    : "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
    if [[ -z $POSTGRES_PASSWORD && $POSTGRES_HOST_AUTH_METHOD != trust ]]; then
        log "ERROR: set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust)"
        exit 1
    fi

    log "initdb: superuser '$POSTGRES_USER', host auth $POSTGRES_HOST_AUTH_METHOD"
    initdb_args=(--username="$POSTGRES_USER" --auth-local=trust --auth-host="$POSTGRES_HOST_AUTH_METHOD"
        --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA")
    # The <(...) must be on initdb's own command line: its fd lives only as
    # long as the command it is written in.
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a word list on purpose
    if [[ -n $POSTGRES_PASSWORD ]]; then
        initdb "${initdb_args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") ${POSTGRES_INITDB_ARGS:-}
    else
        initdb "${initdb_args[@]}" ${POSTGRES_INITDB_ARGS:-}
    fi

    {
        echo
        echo "# docker-entrypoint.sh: clients from any address, by password"
        echo "host all all all $POSTGRES_HOST_AUTH_METHOD"
    } >>"$PGDATA/pg_hba.conf"
    {
        echo
        echo "listen_addresses = '*'"
    } >>"$PGDATA/postgresql.conf"

    # Set-up on a server that listens on the unix socket only, so that nobody
    # (testcontainers' readiness check goes through TCP) sees it half made.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
    psql_cmd=(psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc --username "$POSTGRES_USER")
    if [[ $POSTGRES_DB != postgres ]]; then
        log "creating database '$POSTGRES_DB'"
        "${psql_cmd[@]}" --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
    fi
    for f in /docker-entrypoint-initdb.d/*; do
        case $f in
            *.sql) log "running $f"; "${psql_cmd[@]}" --dbname "$POSTGRES_DB" -f "$f" ;;
            *.sh) log "running $f"; bash "$f" ;;
            *) [[ -e $f ]] && log "ignoring $f" ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop
    log "init done; starting postgres"
fi

exec "$@"
