#!/bin/sh
# Start Virtuoso 7 on the database in $VIRTUOSO_DATA, writing its virtuoso.ini there
# from the template on every start (so an upgrade of this image takes effect), and
# set the dba password to $VIRTUOSO_DBA_PASSWORD on the first start of a new database.
# Runs in the foreground; SIGTERM is passed on (Virtuoso shuts down cleanly on it).
set -eu
here=$(dirname "$0")
data=${VIRTUOSO_DATA:?set VIRTUOSO_DATA to the database folder}
http=${VIRTUOSO_HTTP:-0.0.0.0:8890}
sql=${VIRTUOSO_SQL:-127.0.0.1:1111}
buffers=${VIRTUOSO_BUFFERS:-100000}   # 8 KB pages: 100,000 is about 800 MB
mkdir -p "$data/www"
sed -e "s|@DATA@|$data|g" -e "s|@HTTP@|$http|g" -e "s|@SQL@|$sql|g" \
    -e "s|@BUFFERS@|$buffers|g" -e "s|@DIRTY@|$((buffers * 3 / 4))|g" \
    "$here/virtuoso.ini.template" > "$data/virtuoso.ini"
virtuoso-t +foreground +configfile "$data/virtuoso.ini" &
server=$!
trap 'kill -TERM "$server" 2>/dev/null; wait "$server"' TERM INT
if [ ! -e "$data/.password-set" ]; then
  password=${VIRTUOSO_DBA_PASSWORD:-}
  if [ -z "$password" ]; then
    echo "VIRTUOSO_DBA_PASSWORD is not set: the dba password stays the default 'dba'" >&2
  else
    port=${sql##*:}
    tries=0
    until isql-vt "$port" dba dba "exec=status();" >/dev/null 2>&1; do
      tries=$((tries + 1))
      if [ "$tries" -ge 120 ] || ! kill -0 "$server" 2>/dev/null; then
        echo "Virtuoso did not start within 60 s; see $data/virtuoso.log" >&2
        exit 1
      fi
      sleep 0.5
    done
    if [ "$password" != dba ]; then
      isql-vt "$port" dba dba "exec=set password \"dba\" \"$password\";" >/dev/null
    fi
    touch "$data/.password-set"
  fi
fi
wait "$server"
