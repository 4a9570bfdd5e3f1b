#!/usr/bin/env bash
# Restore a Kemitraan backup made by ops/backup.sh into an existing, empty or stale database.
#   ops/restore.sh <file.dump> <media.tar.gz>
# Reads DATABASE_URL (the target) and MEDIA_ROOT (default ./media). Existing objects are replaced.
set -euo pipefail
dump=${1:?usage: ops/restore.sh <file.dump> <media.tar.gz>}
media_archive=${2:?usage: ops/restore.sh <file.dump> <media.tar.gz>}
: "${DATABASE_URL:?DATABASE_URL must point at the target PostgreSQL database}"
media=${MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/media}
pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --dbname "$DATABASE_URL" "$dump"
mkdir -p "$media"
tar -C "$media" -xzf "$media_archive"
# The restore sent no signals: pages cached before it must not be served (kemitraan/fragments.py).
python_bin=${PYTHON:-$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python}
"$python_bin" "$(cd "$(dirname "$0")/.." && pwd)/manage.py" fragments_clear
echo "restored $dump and $media_archive into $media"
