#!/usr/bin/env bash
# Refreshes testdata/crds from the upstream projects' released CRD manifests,
# taken from their Go modules so that the source and version of every file is
# exact and reproducible. Edit the table and rerun to bump a version; then
# update testdata/crds/README.md to match.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="$(cd "$here/../.." && pwd)/testdata/crds"

# project  module@version  directory-in-module  files...
sources=(
	"gateway-api sigs.k8s.io/gateway-api@v1.6.3 config/crd/standard gateway.networking.k8s.io_gatewayclasses.yaml gateway.networking.k8s.io_gateways.yaml gateway.networking.k8s.io_httproutes.yaml gateway.networking.k8s.io_grpcroutes.yaml gateway.networking.k8s.io_referencegrants.yaml gateway.networking.k8s.io_backendtlspolicies.yaml"
	"external-secrets github.com/external-secrets/external-secrets@v1.3.2 config/crds/bases external-secrets.io_externalsecrets.yaml external-secrets.io_secretstores.yaml external-secrets.io_clustersecretstores.yaml"
	"prometheus-operator github.com/prometheus-operator/prometheus-operator@v0.85.0 example/prometheus-operator-crd monitoring.coreos.com_servicemonitors.yaml monitoring.coreos.com_podmonitors.yaml monitoring.coreos.com_prometheusrules.yaml"
	"cert-manager github.com/cert-manager/cert-manager@v1.21.2 deploy/crds cert-manager.io_certificates.yaml cert-manager.io_clusterissuers.yaml"
	"argo-cd github.com/argoproj/argo-cd/v3@v3.5.7 manifests/crds application-crd.yaml appproject-crd.yaml applicationset-crd.yaml"
	"argo-rollouts github.com/argoproj/argo-rollouts@v1.10.1 manifests/crds rollout-crd.yaml analysis-template-crd.yaml"
	"flux github.com/fluxcd/kustomize-controller@v1.9.6 config/crd/bases kustomize.toolkit.fluxcd.io_kustomizations.yaml"
	"flux github.com/fluxcd/source-controller@v1.9.6 config/crd/bases source.toolkit.fluxcd.io_gitrepositories.yaml source.toolkit.fluxcd.io_ocirepositories.yaml source.toolkit.fluxcd.io_helmrepositories.yaml"
	"kyverno github.com/kyverno/kyverno@v1.19.1 config/crds/kyverno kyverno.io_clusterpolicies.yaml"
	"kyverno github.com/kyverno/kyverno@v1.19.1 config/crds/policies.kyverno.io policies.kyverno.io_imagevalidatingpolicies.yaml"
	"vertical-pod-autoscaler k8s.io/autoscaler/vertical-pod-autoscaler@v1.8.1 deploy vpa-v1-crd-gen.yaml"
	"cilium github.com/cilium/cilium@v1.20.2 pkg/k8s/apis/cilium.io/client/crds/v2 ciliumnetworkpolicies.yaml"
	"istio istio.io/api@v1.32.0 kubernetes customresourcedefinitions.gen.yaml#peerauthentications.security.istio.io"
	"envoy-gateway github.com/envoyproxy/gateway@v1.9.1 charts/gateway-helm/charts/crds/crds/generated gateway.envoyproxy.io_envoyproxies.yaml gateway.envoyproxy.io_clienttrafficpolicies.yaml gateway.envoyproxy.io_backendtrafficpolicies.yaml"
	"cloudnative-pg github.com/cloudnative-pg/cloudnative-pg@v1.30.1 config/crd/bases postgresql.cnpg.io_clusters.yaml postgresql.cnpg.io_scheduledbackups.yaml postgresql.cnpg.io_backups.yaml"
	"cloudnative-pg github.com/cloudnative-pg/plugin-barman-cloud@v0.7.0 config/crd/bases barmancloud.cnpg.io_objectstores.yaml"
	"redis-operator github.com/OT-CONTAINER-KIT/redis-operator@v0.23.0 config/crd/bases redis.redis.opstreelabs.in_redisreplications.yaml redis.redis.opstreelabs.in_redissentinels.yaml"
)

for line in "${sources[@]}"; do
	read -r project mod dir files <<<"$line"
	src="$(cd "${TMPDIR:-/tmp}" && go mod download -json "$mod" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
	[[ -n "$src" ]] || { echo "cannot download $mod" >&2; exit 1; }
	mkdir -p "$dest/$project"
	for f in $files; do
		case "$f" in
		*'#'*)
			# file#crd-name: one CRD out of a file that holds a project's
			# every CRD, written to <crd-name>.yaml.
			file="${f%%#*}" crd="${f#*#}"
			awk -v want="$crd" '
				function flush() { if (doc ~ "\n  name: " want "\n") printf "%s", doc; doc = "" }
				/^---$/ { flush(); next }
				{ doc = doc $0 "\n" }
				END { flush() }' "$src/$dir/$file" >"$dest/$project/$crd.yaml"
			[[ -s "$dest/$project/$crd.yaml" ]] || { echo "no CRD $crd in $mod $dir/$file" >&2; exit 1; }
			chmod 0644 "$dest/$project/$crd.yaml"
			;;
		*) install -m 0644 "$src/$dir/$f" "$dest/$project/$f" ;;
		esac
	done
	echo "$project: $mod $dir"
done

# lint checks custom resources against these CRDs: refresh the schemas it embeds.
(cd "$here/../.." && go run ./pkg/crdschema/internal/gencrds)
echo "pkg/crdschema/bundled.json.gz regenerated"
