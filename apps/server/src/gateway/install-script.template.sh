#!/usr/bin/env bash
# Tend agent installer, served by the Tend server at /install.sh:
#
#   curl -fsSL http://SERVER:8700/install.sh | sudo bash -s -- --activation-id ID --activation-code CODE
#
# It installs the agent as the systemd service tend-agent:
#   /opt/tend/tend-agent.cjs                the agent: one file, the newest release the server holds
#   /opt/tend/tend-agent.previous.cjs       (after an AWS-UpdateSSMAgent update) the version before it
#   /var/lib/tend/                          node id and Ed25519 key (mode 0700)
#   /etc/tend/agent.env                     the activation code until the node has registered (mode 0600)
#   /etc/systemd/system/tend-agent.service
# and starts it. It needs root, systemd, curl and Node.js 20.19 or later.
# Run it again to upgrade the agent: a registered node keeps its identity.
set -euo pipefail

# Filled in by the server that served this script.
TEND_SERVER_URL='__TEND_SERVER_URL__'
TEND_VERSION='__TEND_VERSION__'

MIN_NODE_MAJOR=20
MIN_NODE_MINOR=19
SERVICE=tend-agent

usage() {
  cat <<EOF
Installs the newest Tend agent the server holds (the server runs ${TEND_VERSION}) as the systemd service ${SERVICE}.

usage: install.sh --activation-id ID --activation-code CODE [options]

  --activation-id ID       activation id (tend activations create)
  --activation-code CODE   activation code; or set TEND_ACTIVATION_CODE, which keeps it out of the process list
  --name NAME              node name (default: the activation's default instance name)
  --server URL             Tend server the agent connects to (default: ${TEND_SERVER_URL})
  --node PATH              Node.js binary to run the agent with (default: node on PATH)
  --root DIR               install into DIR as if it were / and do not touch systemd (images, tests)
  --dry-run                print what would be done and change nothing
  -h, --help               this help

A machine that is already registered (state in /var/lib/tend) needs no activation:
running the script again upgrades the agent and keeps the node's identity.
EOF
}

say() { printf 'tend install: %s\n' "$*"; }
die() {
  printf 'tend install: error: %s\n' "$*" >&2
  exit 1
}

activation_id=''
activation_code="${TEND_ACTIVATION_CODE:-}"
name=''
server_url="$TEND_SERVER_URL"
node_bin=''
root=''
dry_run=0

# The value of an option given as `--opt VALUE`; fails on a missing one.
value_of() {
  [ "$#" -ge 2 ] && [ -n "$2" ] || die "$1 needs a value"
  printf '%s' "$2"
}

while [ "$#" -gt 0 ]; do
  case "$1" in
    --activation-id) activation_id="$(value_of "$@")"; shift 2 ;;
    --activation-id=*) activation_id="${1#*=}"; shift ;;
    --activation-code) activation_code="$(value_of "$@")"; shift 2 ;;
    --activation-code=*) activation_code="${1#*=}"; shift ;;
    --name) name="$(value_of "$@")"; shift 2 ;;
    --name=*) name="${1#*=}"; shift ;;
    --server) server_url="$(value_of "$@")"; shift 2 ;;
    --server=*) server_url="${1#*=}"; shift ;;
    --node) node_bin="$(value_of "$@")"; shift 2 ;;
    --node=*) node_bin="${1#*=}"; shift ;;
    --root) root="$(value_of "$@")"; shift 2 ;;
    --root=*) root="${1#*=}"; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

# Everything below is written into a systemd unit or an environment file, so
# each value is held to characters that need no quoting there.
server_url="${server_url%/}"
url_pattern='^https?://[][A-Za-z0-9.:_-]+(/[A-Za-z0-9._~%/-]*)?$'
[[ "$server_url" =~ $url_pattern ]] || die "--server must be an http(s) URL, got '$server_url'"
[ -z "$activation_id" ] || [[ "$activation_id" =~ ^[0-9A-Fa-f-]{36}$ ]] || die "--activation-id must look like 8ae6f3e4-f3ad-494d-a26e-8167f3892608, got '$activation_id'"
[ -z "$activation_code" ] || [[ "$activation_code" =~ ^[A-Za-z0-9+/=_-]{1,250}$ ]] || die "--activation-code has characters an activation code never contains"
[ -z "$name" ] || [[ "$name" =~ ^[A-Za-z0-9._:@=+-]{1,256}$ ]] || die "--name may contain letters, digits and . _ : @ = + - only"
if [ -n "$root" ]; then
  [ "${root:0:1}" = / ] || root="$PWD/$root"
  root="${root%/}"
fi

install_dir=/opt/tend
state_dir=/var/lib/tend
env_file=/etc/tend/agent.env
unit_file=/etc/systemd/system/${SERVICE}.service
agent_file=$install_dir/tend-agent.cjs

# A registered node reconnects with its saved identity: the activation is only for the first start.
registered=0
[ -f "$root$state_dir/state.json" ] && grep -q '"instanceId"' "$root$state_dir/state.json" && registered=1
if [ "$registered" = 0 ]; then
  [ -n "$activation_id" ] || die "--activation-id is required (create an activation with: tend activations create)"
  [ -n "$activation_code" ] || die "--activation-code (or TEND_ACTIVATION_CODE) is required; it was shown once by tend activations create"
fi

if [ -z "$root" ] && [ "$dry_run" = 0 ]; then
  [ "$(id -u)" = 0 ] || die "run as root: curl -fsSL ${server_url}/install.sh | sudo bash -s -- …"
  command -v systemctl >/dev/null && [ -d /run/systemd/system ] ||
    die "systemd is not running here; run the agent under your own supervisor instead: node ${agent_file} agent --server ${server_url} --activation-id … --state-dir ${state_dir}"
fi
command -v curl >/dev/null || die "curl is needed to download the agent"

# Node.js: the agent is a Node program. Under sudo, PATH is reset (secure_path),
# so a node from nvm or a home directory is not found; --node names it.
node_help="install Node.js ${MIN_NODE_MAJOR}.${MIN_NODE_MINOR} or later first: https://nodejs.org/en/download
  Debian/Ubuntu: curl -fsSL https://deb.nodesource.com/setup_22.x | bash - && apt-get install -y nodejs
  RHEL/Fedora/Amazon Linux: curl -fsSL https://rpm.nodesource.com/setup_22.x | bash - && dnf install -y nodejs
  or pass --node /path/to/node"
if [ -z "$node_bin" ]; then
  node_bin="$(command -v node || true)"
  [ -n "$node_bin" ] || die "Node.js was not found on PATH; $node_help"
fi
[ -x "$node_bin" ] || die "$node_bin is not an executable; $node_help"
node_bin="$(cd "$(dirname "$node_bin")" && pwd -P)/$(basename "$node_bin")"
node_version="$("$node_bin" -p 'process.versions.node' 2>/dev/null)" || die "$node_bin does not run; $node_help"
IFS=. read -r node_major node_minor _ <<<"$node_version"
if ! [[ "$node_major" =~ ^[0-9]+$ && "$node_minor" =~ ^[0-9]+$ ]] ||
  [ "$node_major" -lt "$MIN_NODE_MAJOR" ] || { [ "$node_major" -eq "$MIN_NODE_MAJOR" ] && [ "$node_minor" -lt "$MIN_NODE_MINOR" ]; }; then
  die "Node.js $node_version at $node_bin is too old; $node_help"
fi

# The code is not on this line: a unit file is world-readable, and so is `systemctl show`.
exec_start="$node_bin $agent_file agent --server $server_url"
[ -z "$activation_id" ] || exec_start="$exec_start --activation-id $activation_id"
exec_start="$exec_start --state-dir $state_dir"
[ -z "$name" ] || exec_start="$exec_start --name $name"

unit_text="[Unit]
Description=Tend agent (managed node of ${server_url})
Documentation=${server_url}
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
# The activation code, read on the first start only; the installer empties it once the node is registered.
EnvironmentFile=-${env_file}
ExecStart=${exec_start}
Restart=always
RestartSec=5
# 77: the server refused the activation or the node (deregistered); restarting cannot help.
RestartPreventExitStatus=77
# An agent update (AWS-UpdateSSMAgent) swaps the file and exits for systemd to start the new version,
# leaving behind a watchdog (the previous version) that puts the old agent back if the new one does not
# connect. The default KillMode=control-group would kill the watchdog along with the old agent; with
# KillMode=process only the agent itself is signalled. The agent stops its commands' process trees itself.
KillMode=process
# Tells the agent that systemd restarts it when it exits, so an update only has to exit.
Environment=TEND_AGENT_SUPERVISED=true
TimeoutStopSec=30

[Install]
WantedBy=multi-user.target
"

if [ "$dry_run" = 1 ]; then
  say "dry run: nothing is changed"
  say "would check Node.js: $node_bin is $node_version (ok)"
  say "would download ${server_url}/agent/tend-agent.cjs to $root$agent_file"
  say "would create $root$state_dir with mode 0700"
  [ -z "$activation_code" ] || say "would write the activation code to $root$env_file with mode 0600"
  say "would write $root$unit_file:"
  printf '%s' "$unit_text" | sed 's/^/    /'
  if [ -z "$root" ]; then
    say "would run: systemctl daemon-reload && systemctl enable --now ${SERVICE}"
  else
    say "would skip systemctl (--root)"
  fi
  exit 0
fi

say "installing the Tend agent from ${server_url}${root:+ into $root}"

# Download next to the target and move into place, so a running agent never sees half a file.
mkdir -p "$root$install_dir"
tmp_agent="$(mktemp "$root$install_dir/.tend-agent.XXXXXX")"
tmp_headers="$(mktemp)"
trap 'rm -f "$tmp_agent" "$tmp_headers"' EXIT
curl -fsS --retry 3 -D "$tmp_headers" -o "$tmp_agent" "${server_url}/agent/tend-agent.cjs" || die "could not download the agent from ${server_url}/agent/tend-agent.cjs"
# The server names the file's SHA-256: a download cut short or altered on the way is refused here.
expected_sha="$(tr -d '\r' <"$tmp_headers" | sed -n 's/^[Xx]-[Tt]end-[Aa]gent-[Ss]ha256: *\([0-9a-f]\{64\}\)$/\1/p' | tail -n 1)"
if [ -n "$expected_sha" ] && command -v sha256sum >/dev/null; then
  actual_sha="$(sha256sum "$tmp_agent" | cut -d ' ' -f 1)"
  [ "$actual_sha" = "$expected_sha" ] || die "the downloaded agent is damaged (SHA-256 $actual_sha, the server sent $expected_sha); run the installer again"
fi
agent_version="$("$node_bin" "$tmp_agent" --version 2>&1)" || die "the downloaded agent does not run with $node_bin: $agent_version"
chmod 0644 "$tmp_agent"
mv -f "$tmp_agent" "$root$agent_file"
rm -f "$tmp_headers"
trap - EXIT
say "agent $agent_version installed at $root$agent_file"

mkdir -p "$root$state_dir"
chmod 0700 "$root$state_dir"

if [ -n "$activation_code" ] && [ "$registered" = 0 ]; then
  mkdir -p "$root$(dirname "$env_file")"
  (
    umask 077
    printf 'TEND_ACTIVATION_CODE=%s\n' "$activation_code" >"$root$env_file"
  )
  chmod 0600 "$root$env_file"
fi

mkdir -p "$root$(dirname "$unit_file")"
printf '%s' "$unit_text" >"$root$unit_file"
chmod 0644 "$root$unit_file"
say "wrote $root$unit_file"

if [ -n "$root" ]; then
  say "installed into $root; systemctl skipped (--root). On the target: systemctl daemon-reload && systemctl enable --now ${SERVICE}"
  exit 0
fi

systemctl daemon-reload
if systemctl is-active --quiet "$SERVICE"; then
  systemctl restart "$SERVICE"
else
  systemctl enable --now "$SERVICE"
fi

# Wait for the first registration, so a wrong or used-up activation is reported here and not only in the journal.
for _ in $(seq 1 30); do
  if [ -f "$state_dir/state.json" ] && grep -q '"instanceId"' "$state_dir/state.json"; then
    instance_id="$(grep -o '"instanceId" *: *"mi-[0-9a-f]*"' "$state_dir/state.json" | grep -o 'mi-[0-9a-f]*')"
    # Registered: the code is not needed again, and it could register other machines.
    [ ! -f "$env_file" ] || : >"$env_file"
    say "registered as ${instance_id}; the agent runs as the systemd service ${SERVICE} (journalctl -u ${SERVICE})"
    exit 0
  fi
  if systemctl is-failed --quiet "$SERVICE"; then
    journalctl -u "$SERVICE" -n 5 --no-pager -o cat >&2 || true
    die "the agent stopped; see journalctl -u ${SERVICE}"
  fi
  sleep 1
done
say "the agent is running but has not registered yet; see journalctl -u ${SERVICE}"
