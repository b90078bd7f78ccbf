#!/bin/sh
# One scheduled run of cloudblame: pull what is new from the config's sources, then send each owner the
# digest of what they run - the second only when the first succeeded (`sync && notify`).
# For cron, a systemd timer, the container image (`--entrypoint cloudblame-scheduled`) or a Kubernetes
# CronJob: docs/scheduled.md.
#   CLOUDBLAME_CONFIG  the config file: sources, [people] [default: ./cloudblame.toml; the image: /config/...]
#   CLOUDBLAME_DB      the store [default: ./cloudblame-store; the image: /data/cloudblame-store]
# Arguments go to notify (e.g. --to URL, --dry-run).
# Exit status, cloudblame's own: 0 done; 1 problems (a sync with problems, a recipient not reached);
# 2 a usage error (a bad config, no store).
set -eu
config="${CLOUDBLAME_CONFIG:-cloudblame.toml}"
cloudblame sync --config "$config" --quiet
exec cloudblame notify --all --digest --config "$config" "$@"
