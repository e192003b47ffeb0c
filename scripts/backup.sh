#!/usr/bin/env bash
# Back up aidaily: the PostgreSQL database (pg_dump custom format) and MEDIA_ROOT (a tar).
#
#   DATABASE_URL=postgres://user:pw@host:5432/aidaily MEDIA_ROOT=/srv/aidaily/media \
#     scripts/backup.sh [DEST_DIR]          # default DEST_DIR: ./backups
#
# Writes DEST_DIR/aidaily-<UTC time>/ with database.dump, media.tar.gz and SHA256SUMS, and prints
# that directory. The backup is assembled under a hidden name and renamed when complete, so a
# directory without the dot is never half-written. In compose:
#   docker compose run --rm -v "$PWD/backups:/backups" web scripts/backup.sh /backups
# See docs/operations.md (Backups) for restoring.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to back up}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL must be a postgres:// URL" >&2; exit 2 ;;
esac
project_dir="$(cd "$(dirname "$0")/.." && pwd)"
media_root="${MEDIA_ROOT:-$project_dir/var/media}"
dest_root="${1:-./backups}"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
name="aidaily-$stamp"
mkdir -p "$dest_root"
partial="$dest_root/.$name.partial"
rm -rf "$partial"
mkdir -m 700 "$partial"
trap 'rm -rf "$partial"' EXIT

# Custom format: compressed, and pg_restore can restore it into an empty database of a newer
# PostgreSQL. No owners or grants, so it restores under whichever role the target uses.
pg_dump --dbname="$DATABASE_URL" --format=custom --no-owner --no-privileges \
  --file="$partial/database.dump"

if [ -d "$media_root" ]; then
  tar -czf "$partial/media.tar.gz" -C "$media_root" .
else
  echo "backup.sh: MEDIA_ROOT $media_root does not exist; backing up an empty media tree" >&2
  empty="$(mktemp -d)"
  tar -czf "$partial/media.tar.gz" -C "$empty" .
  rmdir "$empty"
fi

(cd "$partial" && sha256sum database.dump media.tar.gz > SHA256SUMS)
mv "$partial" "$dest_root/$name"
trap - EXIT
echo "$dest_root/$name"
