#!/usr/bin/env bash
# Peak resident memory of the provider while Terraform applies and refreshes ROLES roles (default 100; RAM allows
# 1000 per account, see benches/scale.py for that many) against aliram-emulator. Prints the peak VmHWM of the provider processes of each command.
#   benches/refresh_memory.sh [ROLES]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
roles="${1:-100}"
cargo build --quiet --release --bin terraform-provider-aliram --bin aliram-emulator
target="${CARGO_TARGET_DIR:-$PWD/target}"
terraform="$(find_terraform)"

work="$(mktemp -d)"
emulator_pid=""
trap '[ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null; rm -rf "$work"' EXIT
start_emulator "$target/release" "$work"
write_cli_config "$work/cli.tfrc" "$target/release"
cat >"$work/main.tf" <<CONFIG
terraform {
  required_providers {
    aliram = { source = "aliram/aliram" }
  }
}
provider "aliram" {
  access_key = "LTAIEmuSource0000000001"
  secret_key = "EmuSourceSecret000000000000001"
  endpoints {
    ram = "$endpoint"
    sts = "$endpoint"
  }
}
resource "aliram_dataworks_source_role" "many" {
  count                = $roles
  role_name            = "memory-\${count.index}"
  instance_type        = "hive"
  dataworks_account_id = "2222000022220002"
  tags                 = { index = tostring(count.index) }
}
CONFIG
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1
cd "$work"

# Runs a terraform command while sampling the provider processes' peak resident memory.
measure() {
  "$terraform" "$@" -input=false -no-color >"$work/out.log" 2>&1 &
  local tf=$! peak=0
  while kill -0 "$tf" 2>/dev/null; do
    for pid in $(pgrep -f "$target/release/terraform-provider-aliram" || true); do
      kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
      [ -n "$kb" ] && [ "$kb" -gt "$peak" ] && peak=$kb
    done
    sleep 0.02
  done
  wait "$tf" || { cat "$work/out.log"; exit 1; }
  echo "terraform $1 with $roles roles: provider peak RSS $((peak / 1024)) MiB"
}
measure apply -auto-approve
measure plan
measure destroy -auto-approve
