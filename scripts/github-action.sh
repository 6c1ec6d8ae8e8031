#!/usr/bin/env bash
# The logic of the composite action (action.yml): get portreg for the action's own ref, run
# `portreg check --format github` on the workflow's tree, and report.
#
#   PORTREG_PATHS   paths to check, separated by spaces or newlines (default: .)
#   PORTREG_ARGS    more arguments for `portreg check`, split as a shell would split them
#                   (quotes group words; nothing is expanded or run)
#   PORTREG_ACTION_REF         the ref the action was used at (`uses: OWNER/portreg@v0.3.0`)
#   PORTREG_ACTION_REPOSITORY  OWNER/portreg
#   PORTREG_RELEASES_URL       where releases are downloaded from (default:
#                              https://github.com/$PORTREG_ACTION_REPOSITORY/releases/download)
#   PORTREG_DEB                a .deb to use instead of downloading one
#   GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, RUNNER_TEMP   as GitHub Actions sets them
#
# portreg comes from, in order: PORTREG_DEB; the release of the action's ref, when the ref is
# a tag vX.Y.Z (its .deb and .deb.sha256, the checksum verified); else a package built from
# the action's own checkout with scripts/package-deb.sh (a branch or commit ref has no
# release; this needs the Swift toolchain and the build packages). The .deb is unpacked
# into RUNNER_TEMP (dpkg-deb -x), not installed: no root needed, nothing left on the runner.
# Its Depends (libc6, libsqlite3-0) are on every GitHub-hosted Ubuntu runner.
#
# Writes to GITHUB_OUTPUT `version` (portreg --version) and `status` (check's exit status),
# and the step summary (portreg check writes it, every finding with every location). Exits
# with check's status: 0 clean, 1 findings, 65 a config file could not be parsed.
set -euo pipefail
action_root=$(cd "$(dirname "$0")/.." && pwd)

for name in RUNNER_TEMP GITHUB_OUTPUT; do
    [ -n "${!name:-}" ] || { echo "portreg action: $name is not set (run inside GitHub Actions, or set it)" >&2; exit 64; }
done
work=$(mktemp -d "$RUNNER_TEMP/portreg.XXXXXX")
arch=$(dpkg --print-architecture)
ref=${PORTREG_ACTION_REF:-}

deb=${PORTREG_DEB:-}
if [ -z "$deb" ] && [[ $ref =~ ^v([0-9]+\.[0-9]+\.[0-9]+)$ ]]; then
    version=${BASH_REMATCH[1]}
    base=${PORTREG_RELEASES_URL:-https://github.com/${PORTREG_ACTION_REPOSITORY:-}/releases/download}
    name=portreg_${version}-1_${arch}.deb
    echo "portreg action: downloading $base/$ref/$name"
    if curl -fsSL --retry 3 -o "$work/$name" "$base/$ref/$name" \
        && curl -fsSL --retry 3 -o "$work/$name.sha256" "$base/$ref/$name.sha256"; then
        (cd "$work" && sha256sum --check --strict "$name.sha256") \
            || { echo "portreg action: $name does not match its sha256" >&2; exit 74; }
        deb=$work/$name
    else
        echo "portreg action: release $ref has no $name"
        rm -f "$work/$name" "$work/$name.sha256"
    fi
fi
if [ -z "$deb" ]; then
    command -v swift >/dev/null || {
        echo "portreg action: no release .deb for ref '${ref:-?}' and no Swift toolchain to build one" >&2
        echo "portreg action: use the action at a release tag (uses: OWNER/portreg@v0.3.0)" >&2
        exit 69
    }
    echo "portreg action: building from the action's checkout (ref '${ref:-?}' has no release .deb)"
    deb=$("$action_root/scripts/package-deb.sh" "$work/deb" | tail -n 1)
fi

dpkg-deb -x "$deb" "$work/root"
portreg=$work/root/usr/bin/portreg
version=$("$portreg" --version)
echo "portreg action: portreg $version"
echo "version=$version" >>"$GITHUB_OUTPUT"

read -r -d '' -a paths <<<"${PORTREG_PATHS:-.}" || true
[ ${#paths[@]} -gt 0 ] || paths=(.)
args=()
if [ -n "${PORTREG_ARGS:-}" ]; then
    # xargs splits on blanks and honours quotes, and runs nothing but printf.
    mapfile -t args < <(xargs printf '%s\n' <<<"$PORTREG_ARGS")
fi

status=0
"$portreg" check --format github "${args[@]}" -- "${paths[@]}" || status=$?
echo "status=$status" >>"$GITHUB_OUTPUT"
exit "$status"
