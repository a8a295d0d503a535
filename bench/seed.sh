#!/usr/bin/env bash
# Demo catalogue through the public API of a running server: bench/seed.sh [--base URL] [--learners N] [--out DIR]
exec python3 "$(dirname "$0")/seed.py" "$@"
