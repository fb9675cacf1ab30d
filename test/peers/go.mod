// The peer-linter tier is its own module so that its harness does not become
// a dependency of the product; kube-score itself runs as a cached binary
// (.ci/tool).
module github.com/platformctl/platformctl/test/peers

go 1.26.0

require go.yaml.in/yaml/v3 v3.0.5
