#!/usr/bin/env bash
# Release archives and krew manifests for kubectl-uepe.
#
#   scripts/dist.sh [build] [--target TRIPLE] [--bin FILE] [--tag vX.Y.Z] [--out DIR]
#       Builds the release binary for TRIPLE (default: this machine's), packs
#       kubectl-uepe-<tag>-<os>-<arch>.tar.gz (.zip on Windows) with LICENSE
#       and the completion script at the archive root, writes <archive>.sha256
#       and renders DIR/uepe.yaml: the manifest for that one platform, its
#       uri a file:// URL of the archive. DIR defaults to
#       ${CARGO_TARGET_DIR:-target}/dist. --bin packs an already built binary
#       instead of running cargo (the tests pack the binary cargo built them).
#
#   scripts/dist.sh manifest (--placeholder | --checksums DIR) [--tag vX.Y.Z]
#       Renders krew-manifest/.krew.yaml to standard output the way
#       krew-release-bot does: release download URLs, with each platform's
#       sha256 read from DIR/<archive>.sha256 (every platform must be there:
#       the release workflow), or the all-zero placeholder (the committed
#       krew-manifest/uepe.yaml, before any archive of that version exists).
#
#   scripts/dist.sh platform TRIPLE
#       Prints the krew os/arch of a Rust target triple.
#
# The tag defaults to "v" + the workspace version in Cargo.toml; a --tag that
# differs from it is an error, so a release tag always matches the version the
# binary reports.

set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
template="$root/krew-manifest/.krew.yaml"
completion="$root/scripts/kubectl_complete-uepe"
# Marks the committed manifest's checksums as "not known yet". It is a valid
# sha256 in form, so krew's structural checks still run on that file, and no
# archive hashes to it: krew refuses to install from it. Written quoted: an
# unquoted run of zeros is the number 0 to YAML, which krew's parser refuses.
placeholder=0000000000000000000000000000000000000000000000000000000000000000

die() {
    echo "dist.sh: $*" >&2
    exit 1
}

workspace_version() {
    awk '
        /^\[/ { section = $0 }
        section == "[workspace.package]" && $1 == "version" {
            v = $0; sub(/^[^"]*"/, "", v); sub(/".*$/, "", v); print v; exit
        }' "$root/Cargo.toml"
}

check_tag() {
    local want
    want="v$(workspace_version)"
    [ "$want" != "v" ] || die "no [workspace.package] version in $root/Cargo.toml"
    if [ -z "${tag:-}" ]; then
        tag=$want
    elif [ "$tag" != "$want" ]; then
        die "tag $tag does not match the workspace version ($want): bump [workspace.package] version in Cargo.toml first"
    fi
}

# krew's os/arch names for a Rust target triple.
platform_of() {
    local os arch
    case "$1" in
        *-linux-*) os=linux ;;
        *-apple-darwin) os=darwin ;;
        *-windows-*) os=windows ;;
        *) die "no krew platform for target $1" ;;
    esac
    case "$1" in
        x86_64-*) arch=amd64 ;;
        aarch64-*) arch=arm64 ;;
        *) die "no krew platform for target $1" ;;
    esac
    echo "$os/$arch"
}

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

# Renders the template. $1: "placeholder", "release" (sha256 from the
# .sha256 files in $2) or "local" (only the platforms whose archive is in $2,
# with file:// uris). Only the two template actions krew-release-bot
# documents are understood; anything else left in braces is an error rather
# than a manifest krew would reject later.
render() {
    local mode=$1 dir=${2:-}
    awk -v mode="$mode" -v dir="$dir" -v tag="$tag" -v placeholder="$placeholder" '
        function fail(msg) { print "dist.sh: " FILENAME ":" FNR ": " msg > "/dev/stderr"; failed = 1; exit 1 }
        function with_tag(s) { gsub(/\{\{ *\.TagName *\}\}/, tag, s); return s }
        function flush() {
            if (item != "" && keep) printf "%s", item
            item = ""; keep = 1
        }
        BEGIN { keep = 1 }
        # A platform item starts at "  - " and ends where anything less
        # indented than its fields starts; "local" drops items without an archive.
        in_platforms && /^  - / { flush(); item = "" }
        in_platforms && !/^  - / && !/^    / { flush(); in_platforms = 0 }
        /^  platforms:/ { in_platforms = 1; print; next }
        /addURIAndSha/ {
            line = $0
            if (line !~ /^ *\{\{ *addURIAndSha "[^"]*" *\.TagName *\}\} *$/) fail("unexpected addURIAndSha call")
            indent = line; sub(/[^ ].*$/, "", indent)
            url = line; sub(/^[^"]*"/, "", url); sub(/".*$/, "", url); url = with_tag(url)
            file = url; sub(/^.*\//, "", file)
            uri = url
            if (mode == "placeholder") {
                sha = "\"" placeholder "\""
            } else {
                sha = ""
                sumfile = dir "/" file ".sha256"
                if ((getline sumline < sumfile) > 0) { split(sumline, f, " "); sha = f[1] }
                close(sumfile)
                if (sha == "" && mode == "release") fail("no checksum file " sumfile)
                if (sha == "") keep = 0
                if (mode == "local") uri = "file://" dir "/" file
            }
            out = indent "uri: " uri "\n    sha256: " sha "\n"
            if (in_platforms) item = item out; else printf "%s", out
            next
        }
        {
            line = with_tag($0)
            if (line ~ /\{\{|\}\}/) fail("unsupported template action: " $0)
            if (in_platforms) item = item line "\n"; else print line
        }
        END { if (!failed) flush() }
    ' "$template"
}

cmd_manifest() {
    local mode="" dir=""
    while [ $# -gt 0 ]; do
        case "$1" in
            --placeholder) mode=placeholder ;;
            --checksums) mode=release; dir=${2:?--checksums needs a directory}; shift ;;
            --tag) tag=${2:?--tag needs a value}; shift ;;
            *) die "manifest: unknown argument $1" ;;
        esac
        shift
    done
    [ -n "$mode" ] || die "manifest: give --placeholder or --checksums DIR"
    check_tag
    if [ "$mode" = placeholder ]; then
        echo "# Generated by scripts/dist.sh manifest --placeholder from .krew.yaml."
        echo "# The sha256 values are placeholders: the release workflow renders this"
        echo "# file with the real checksums and attaches it to the GitHub release."
    fi
    render "$mode" "$dir"
}

# Where cargo puts its output: cargo runs from the workspace root here, so a
# relative CARGO_TARGET_DIR is relative to that.
target_dir() {
    case "${CARGO_TARGET_DIR:-}" in
        "") echo "$root/target" ;;
        /*) echo "$CARGO_TARGET_DIR" ;;
        *) echo "$root/$CARGO_TARGET_DIR" ;;
    esac
}

cmd_build() {
    local target="" bin="" out
    out="$(target_dir)/dist"
    while [ $# -gt 0 ]; do
        case "$1" in
            --target) target=${2:?--target needs a triple}; shift ;;
            --bin) bin=${2:?--bin needs a file}; shift ;;
            --tag) tag=${2:?--tag needs a value}; shift ;;
            --out) out=${2:?--out needs a directory}; shift ;;
            *) die "build: unknown argument $1" ;;
        esac
        shift
    done
    check_tag
    local triple=${target:-$(rustc -vV | sed -n 's/^host: //p')}
    local plat os arch exe=""
    plat=$(platform_of "$triple")
    os=${plat%/*}
    arch=${plat#*/}
    [ "$os" = windows ] && exe=.exe

    if [ -z "$bin" ]; then
        local target_dir
        target_dir=$(target_dir)
        if [ -n "$target" ]; then
            (cd "$root" && cargo build --release --locked -p kubectl-uepe --target "$target")
            bin="$target_dir/$target/release/kubectl-uepe$exe"
        else
            (cd "$root" && cargo build --release --locked -p kubectl-uepe)
            bin="$target_dir/release/kubectl-uepe$exe"
        fi
    fi
    [ -f "$bin" ] || die "no binary at $bin"

    mkdir -p "$out"
    out=$(cd "$out" && pwd)
    local name="kubectl-uepe-$tag-$os-$arch"
    local stage="$out/$name"
    rm -rf "$stage"
    mkdir -p "$stage"
    cp "$bin" "$stage/kubectl-uepe$exe"
    cp "$root/LICENSE" "$stage/LICENSE"
    chmod 0755 "$stage/kubectl-uepe$exe"
    chmod 0644 "$stage/LICENSE"
    local files=("kubectl-uepe$exe" LICENSE)
    # kubectl looks for kubectl_complete-uepe on PATH; a bash script is of no
    # use to kubectl on Windows, which only runs PATHEXT executables.
    if [ "$os" != windows ]; then
        cp "$completion" "$stage/kubectl_complete-uepe"
        chmod 0755 "$stage/kubectl_complete-uepe"
        files+=(kubectl_complete-uepe)
    fi

    local archive
    if [ "$os" = windows ]; then
        archive="$out/$name.zip"
        rm -f "$archive"
        if command -v zip >/dev/null 2>&1; then
            (cd "$stage" && zip -q -X "$archive" "${files[@]}")
        elif command -v 7z >/dev/null 2>&1; then
            (cd "$stage" && 7z a -tzip -bso0 "$archive" "${files[@]}")
        else
            die "neither zip nor 7z found to pack $archive"
        fi
    else
        archive="$out/$name.tar.gz"
        local tar_flags=()
        # Same bytes for the same inputs where GNU tar allows it: no user
        # names, sorted entries; gzip -n leaves out the name and time.
        if tar --version 2>/dev/null | grep -q 'GNU tar'; then
            tar_flags=(--owner=0 --group=0 --numeric-owner --sort=name)
            [ -n "${SOURCE_DATE_EPOCH:-}" ] && tar_flags+=("--mtime=@$SOURCE_DATE_EPOCH")
        else
            tar_flags=(--uid 0 --gid 0 --uname root --gname root)
        fi
        tar -C "$stage" "${tar_flags[@]}" -cf - "${files[@]}" | gzip -n >"$archive"
    fi
    rm -rf "$stage"

    local sha
    sha=$(sha256_of "$archive")
    printf '%s  %s\n' "$sha" "$(basename "$archive")" >"$archive.sha256"
    render local "$out" >"$out/uepe.yaml"
    grep -q "^    sha256: $sha\$" "$out/uepe.yaml" || die "rendered $out/uepe.yaml does not carry the archive's sha256"

    cat <<EOF
archive:  $archive
sha256:   $sha
manifest: $out/uepe.yaml
try it:   kubectl krew install --manifest=$out/uepe.yaml --archive=$archive
EOF
}

case "${1:-build}" in
    build) [ $# -gt 0 ] && shift; cmd_build "$@" ;;
    manifest) shift; cmd_manifest "$@" ;;
    platform) platform_of "${2:?platform needs a target triple}" ;;
    -h | --help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0" ;;
    -*) cmd_build "$@" ;;
    *) die "unknown command $1 (build, manifest, platform)" ;;
esac
