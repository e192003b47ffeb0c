#!/usr/bin/env bash
# Restore an aidaily backup made by scripts/backup.sh into an EMPTY database and media root.
#
#   createdb aidaily_restored
#   DATABASE_URL=postgres://user:pw@host:5432/aidaily_restored MEDIA_ROOT=/srv/aidaily/media \
#     scripts/restore.sh backups/aidaily-20260408T000000Z
#
# Refuses (exit 2, nothing changed) when the checksums do not match, when the database already
# has tables, or when MEDIA_ROOT is not empty: a restore never overwrites live data. The database
# is restored in one transaction, so a failure leaves it empty. Then run
# `python manage.py migrate` (a no-op for a backup of the same version; upgrades an older one).
set -euo pipefail

backup="${1:?usage: scripts/restore.sh BACKUP_DIR}"
: "${DATABASE_URL:?DATABASE_URL must name the empty PostgreSQL database to restore into}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "restore.sh: DATABASE_URL must be a postgres:// URL" >&2; exit 2 ;;
esac
project_dir="$(cd "$(dirname "$0")/.." && pwd)"
media_root="${MEDIA_ROOT:-$project_dir/var/media}"

refuse() { echo "restore.sh: $*; nothing was restored" >&2; exit 2; }

for file in database.dump media.tar.gz SHA256SUMS; do
  [ -f "$backup/$file" ] || refuse "$backup/$file is missing"
done
(cd "$backup" && sha256sum --quiet --check SHA256SUMS) || refuse "checksums do not match"

tables="$(psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -tAc \
  "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")"
[ "$tables" = "0" ] || refuse "the database already has $tables tables (restore into an empty one)"
if [ -d "$media_root" ] && [ -n "$(ls -A "$media_root")" ]; then
  refuse "MEDIA_ROOT $media_root is not empty"
fi

# The archive must hold only relative paths inside the media root.
if tar -tzf "$backup/media.tar.gz" | grep -Eq '(^/|(^|/)\.\.(/|$))'; then
  refuse "media.tar.gz holds paths outside the media root"
fi

pg_restore --dbname="$DATABASE_URL" --no-owner --no-privileges --exit-on-error \
  --single-transaction "$backup/database.dump"
mkdir -p "$media_root"
tar -xzf "$backup/media.tar.gz" -C "$media_root" --no-same-owner
echo "restored $backup into the database and $media_root"
