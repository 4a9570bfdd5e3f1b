#!/usr/bin/env bash
# Back up Kemitraan: the PostgreSQL database (pg_dump custom format) and the media folder.
#   ops/backup.sh <backup-dir>
# Reads DATABASE_URL (postgres://...) and MEDIA_ROOT (default ./media) from the environment.
set -euo pipefail
dest=${1:?usage: ops/backup.sh <backup-dir>}
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
media=${MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/media}
mkdir -p "$dest"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
pg_dump --format=custom --no-owner --no-privileges --file "$dest/kemitraan-$stamp.dump" "$DATABASE_URL"
if [ -d "$media" ]; then
  tar -C "$media" -czf "$dest/media-$stamp.tar.gz" .
else
  tar -czf "$dest/media-$stamp.tar.gz" --files-from /dev/null
fi
echo "$dest/kemitraan-$stamp.dump"
echo "$dest/media-$stamp.tar.gz"
