#!/bin/bash
# Validates config.json and applies it: regenerates the public health
# document (/srv/www/health.json) that the uploader reads its limits from.
# Run it after every change to config.json.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python3 - "$here/config.json" "$here/../www/health.json" <<'PY'
import hashlib
import json
import os
import sys

cfg_path, out_path = sys.argv[1], sys.argv[2]
raw = open(cfg_path, "rb").read()
try:
    cfg = json.loads(raw)
except ValueError as e:
    sys.exit(f"reload: config.json is not valid JSON: {e}")

limits = cfg.get("limits", {})
for key in ("max_upload_mb", "max_files_per_request", "requests_per_minute"):
    v = limits.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 1024:
        sys.exit(f"reload: limits.{key} must be an integer from 1 to 1024, got {v!r}")

health = {
    "service": cfg["service"],
    "env": cfg["env"],
    "status": "ok",
    "limits": {
        "max_upload_mb": limits["max_upload_mb"],
        "max_files_per_request": limits["max_files_per_request"],
    },
    "allowed_types": cfg["allowed_types"],
    "config_sha256": hashlib.sha256(raw).hexdigest()[:12],
}
tmp = out_path + ".tmp"
with open(tmp, "w") as f:
    json.dump(health, f, indent=2)
    f.write("\n")
os.replace(tmp, out_path)
print(f"reload: config applied, max_upload_mb={limits['max_upload_mb']}")
PY
