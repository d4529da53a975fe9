#!/usr/bin/env bash
# Installs the real peers the workspace tests run against (DESIGN.md, "Where
# each real thing comes from in tests"). Run by .ci/run on a fresh Debian
# machine as root; safe to run again: every group checks what is there first
# and installs only what is missing.
#
#   bash tests/peers/install.sh            # every group
#   bash tests/peers/install.sh checkov    # only the named groups
#
# Python tools get one virtualenv each under $UEPE_PEERS_DIR, linked into
# $UEPE_PEERS_BIN: checkov pins dozens of libraries (boto3 among them) that
# would otherwise fight with moto's in the one interpreter.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PEERS_DIR=${UEPE_PEERS_DIR:-/opt/uepe-peers}
BIN_DIR=${UEPE_PEERS_BIN:-/usr/local/bin}
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1

say() { printf 'peers: %s\n' "$*"; }

# --- helpers -----------------------------------------------------------------

APT_UPDATED=0
# apt_install PKG...: installs the Debian packages that are not installed yet;
# refreshes the package lists at most once per run, and only when needed.
apt_install() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    if ((APT_UPDATED == 0)); then
        apt-get update -qq
        APT_UPDATED=1
    fi
    say "apt-get install ${missing[*]}"
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# python_for_venvs: a python3 that can make virtualenvs (pyenv's can; Debian's
# needs python3-venv).
python_for_venvs() {
    if ! command -v python3 >/dev/null; then
        apt_install python3 python3-venv
    elif ! python3 -m venv --help >/dev/null 2>&1; then
        apt_install python3-venv
    fi
}

# pip_tool PACKAGE VERSION COMMAND...: PACKAGE==VERSION in its own virtualenv,
# its COMMANDs linked into BIN_DIR.
pip_tool() {
    local package=$1 version=$2 venv=$PEERS_DIR/$1 cmd
    shift 2
    if [[ $("$venv/bin/python" -m pip show "$package" 2>/dev/null | sed -n 's/^Version: //p') != "$version" ]]; then
        python_for_venvs
        say "pip install $package==$version"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install -q "$package==$version"
    fi
    for cmd in "$@"; do
        ln -sfn "$venv/bin/$cmd" "$BIN_DIR/$cmd"
    done
}

# --- peer groups: one function each --------------------------------------------

# The wasm targets the component is built for: plugin/build.rs runs a nested
# cargo, which does not install rust-toolchain.toml's targets by itself.
peers_rust_targets() {
    local installed missing=() t
    installed=$(cd "$REPO" && rustup target list --installed)
    for t in wasm32-unknown-unknown wasm32-wasip2; do
        grep -qx "$t" <<<"$installed" || missing+=("$t")
    done
    if ((${#missing[@]})); then
        say "rustup target add ${missing[*]}"
        (cd "$REPO" && rustup target add "${missing[@]}")
    fi
}

# kubectl is the reference for `kubectl create secret docker-registry` and for
# plugin discovery. The machine carries 1.32; Debian's kubernetes-client (1.20)
# is too old and nothing newer can be fetched here, so only check it.
peers_kubectl() {
    if ! command -v kubectl >/dev/null; then
        echo "peers: kubectl is missing and cannot be installed here (Debian's kubernetes-client is 1.20, too old)" >&2
        return 1
    fi
}

# Schema and policy checks of every rendered manifest.
KUBERNETES_VALIDATE_VERSION=1.37.0 # schemas of Kubernetes 1.25 to 1.37
CHECKOV_VERSION=3.3.30
peers_manifest_checks() {
    pip_tool kubernetes-validate "$KUBERNETES_VALIDATE_VERSION" kubernetes-validate
    pip_tool checkov "$CHECKOV_VERSION" checkov
}

# External Secrets Operator's CRD schemas, as generated into the
# @kubernetes-models packages (kubernetes-validate has no schema for ESO kinds);
# used by tests/peers/eso-validate.mjs.
ESO_MODELS=(
    @kubernetes-models/external-secrets@2.0.0
    @kubernetes-models/apimachinery@3.0.2
    @kubernetes-models/base@6.0.1
    @kubernetes-models/validate@5.0.2
    kubernetes-models@5.1.0
)
peers_eso_models() {
    local dir=$PEERS_DIR/eso-models want have
    command -v node >/dev/null || apt_install nodejs npm
    want=$(printf '%s\n' "${ESO_MODELS[@]}" | sort)
    have=$(cat "$dir/.installed" 2>/dev/null || true)
    if [[ $want != "$have" || ! -d $dir/node_modules/@kubernetes-models/external-secrets ]]; then
        say "npm install ${ESO_MODELS[*]}"
        rm -rf "$dir"
        mkdir -p "$dir"
        # The package asks for node >= 22 but runs on the machine's 20.
        (cd "$dir" && npm install --no-audit --no-fund --no-update-notifier --omit=dev \
            --loglevel=error --engine-strict=false "${ESO_MODELS[@]}")
        printf '%s\n' "$want" >"$dir/.installed"
    fi
}

GROUPS_IN_ORDER=(rust_targets kubectl manifest_checks eso_models)

# =============================================================================
# MORE PEER GROUPS GO HERE (skopeo, docker-registry, chromium, moto, ...).
# For each: a `peers_NAME() { ... }` that is idempotent like the ones above
# (apt_install and pip_tool do the checking), then `GROUPS_IN_ORDER+=(NAME)`.
# =============================================================================

# ECR (GetAuthorizationToken, CreateRepository, IAM, STS) with SigV4
# signature checking, for the login and cluster tests; boto3 (moto's own
# dependency) sets up users and keys. The AWS CLI is the login benchmark's
# baseline; it gets its own virtualenv so its botocore pin cannot break moto's.
MOTO_VERSION=5.2.1
AWSCLI_VERSION=1.45.11
peers_moto() {
    local venv=$PEERS_DIR/moto
    if [[ $("$venv/bin/python" -m pip show moto 2>/dev/null | sed -n 's/^Version: //p') != "$MOTO_VERSION" ]]; then
        python_for_venvs
        say "pip install moto[server]==$MOTO_VERSION"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install -q "moto[server]==$MOTO_VERSION"
    fi
    # The tests run their boto3 set-up with the python beside moto_server.
    ln -sfn "$venv/bin/moto_server" "$BIN_DIR/moto_server"
    pip_tool awscli "$AWSCLI_VERSION" aws
}
GROUPS_IN_ORDER+=(moto)

# Headless Chromium and its WebDriver for tests/web.rs and `xtask web-size`.
peers_chromium() {
    apt_install chromium chromium-driver fonts-liberation
}
GROUPS_IN_ORDER+=(chromium)

# CNCF distribution registry and skopeo: mirror tests and benchmark (issue 5).
peers_registry() {
    apt_install docker-registry skopeo
}
GROUPS_IN_ORDER+=(registry)

# Shells whose completion scripts the tests load and ask (issue 11), and
# bash-completion, which kubectl's own bash completion needs.
peers_shells() {
    apt_install bash bash-completion zsh fish
}
GROUPS_IN_ORDER+=(shells)

# The real control plane and Go tools, built from the Go module
# tests/peers/go (versions and checksums pinned by its go.mod and go.sum) into
# a cache that outlives the work tree: $UEPE_GO_DIR/{mod,cache,bin}. Skipped
# when the stamp (go.mod, go.sum, flags, Go version) matches what was built.
# Cold build on a 2-core machine: see the README's peers table.
GO_DIR=${UEPE_GO_DIR:-/var/tmp/uepe-go}
# Must be the versions in tests/peers/go/go.mod (stamped into the binaries).
GO_K8S_VERSION=v1.37.2
GO_KREW_VERSION=v0.4.3
GO_PEERS=(
    "kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver"
    "kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager"
    "kubectl k8s.io/kubernetes/cmd/kubectl"
    "etcd go.etcd.io/etcd/server/v3"
    "krew sigs.k8s.io/krew/cmd/krew"
    "validate-krew-manifest sigs.k8s.io/krew/cmd/validate-krew-manifest"
)
peers_go() {
    local mod=$REPO/tests/peers/go bin=$GO_DIR/bin stamp entry name pkg start
    # -X: the version a release build stamps (hack/lib/version.sh); without
    # it the server reports v0.0.0-master and kubectl warns about skew.
    local v=${GO_K8S_VERSION#v} x=k8s.io/component-base/version
    local flags=(-trimpath "-ldflags=-s -w -X $x.gitVersion=$GO_K8S_VERSION -X $x.gitMajor=${v%%.*} -X $x.gitMinor=$(cut -d. -f2 <<<"$v") -X $x.gitTreeState=clean -X k8s.io/client-go/pkg/version.gitVersion=$GO_K8S_VERSION -X sigs.k8s.io/krew/internal/version.gitTag=$GO_KREW_VERSION")
    if ! command -v go >/dev/null; then
        echo "peers: go is missing (the control plane is built from Go modules)" >&2
        return 1
    fi
    # The module's go.sum is the authority (-mod=readonly: never rewritten;
    # a module it lacks is an error, not a checksum-database lookup); the
    # machine's Go is used, never a downloaded one.
    export GOMODCACHE=$GO_DIR/mod GOCACHE=$GO_DIR/cache GOTOOLCHAIN=local
    export GOFLAGS="-mod=readonly -buildvcs=false"
    stamp=$({
        cat "$mod/go.mod" "$mod/go.sum"
        printf '%s\n' "${flags[@]}" "${GO_PEERS[@]}"
        go version
    } | sha256sum | cut -d' ' -f1)
    if [[ $(cat "$bin/.stamp" 2>/dev/null) == "$stamp" ]]; then
        return 0
    fi
    mkdir -p "$bin"
    rm -f "$bin/.stamp"
    for entry in "${GO_PEERS[@]}"; do
        read -r name pkg <<<"$entry"
        start=$SECONDS
        say "go build $pkg"
        (cd "$mod" && go build "${flags[@]}" -o "$bin/$name.new" "$pkg")
        mv -f "$bin/$name.new" "$bin/$name"
        say "built $name in $((SECONDS - start)) s"
    done
    printf '%s\n' "$stamp" >"$bin/.stamp"
}
GROUPS_IN_ORDER+=(go)

# External Secrets Operator's own CRDs (issue 12): the module
# github.com/external-secrets/external-secrets, pinned and checksummed by
# tests/peers/eso/go.mod and go.sum (its own module, so ESO's dependencies
# never move the control plane's), downloaded into the Go module cache; its
# config/crds/bases is copied to $UEPE_GO_DIR/eso-crds for the tests to
# apply to the real API server. Nothing is built.
ESO_VERSION=v0.16.2
peers_eso_crds() {
    local mod=$REPO/tests/peers/eso dest=$GO_DIR/eso-crds src
    if [[ $(cat "$dest/.version" 2>/dev/null) == "$ESO_VERSION" ]]; then
        return 0
    fi
    command -v go >/dev/null || {
        echo "peers: go is missing (ESO's CRDs come from its Go module)" >&2
        return 1
    }
    say "go mod download github.com/external-secrets/external-secrets@$ESO_VERSION"
    src=$(cd "$mod" && GOMODCACHE=$GO_DIR/mod GOTOOLCHAIN=local GOFLAGS=-mod=readonly \
        go mod download -json github.com/external-secrets/external-secrets |
        sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [[ -d $src/config/crds/bases ]] || {
        echo "peers: no config/crds/bases in $src" >&2
        return 1
    }
    rm -rf "$dest"
    mkdir -p "$dest"
    cp "$src"/config/crds/bases/*.yaml "$dest/"
    printf '%s\n' "$ESO_VERSION" >"$dest/.version"
}
GROUPS_IN_ORDER+=(eso_crds)

# (end of peer groups)

# --- main ----------------------------------------------------------------------
if (($#)); then
    groups=("$@")
else
    groups=("${GROUPS_IN_ORDER[@]}")
fi
mkdir -p "$PEERS_DIR" "$BIN_DIR"
for group in "${groups[@]}"; do
    if ! declare -F "peers_$group" >/dev/null; then
        echo "peers: unknown group '$group' (known: ${GROUPS_IN_ORDER[*]})" >&2
        exit 2
    fi
    "peers_$group"
done
say "ready: ${groups[*]}"
