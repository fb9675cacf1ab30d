package spec

import (
	"os"
	"strings"
	"testing"
)

// readmeSpec is the wrong spec the README's error example is the output of.
const readmeSpec = `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata: {name: shop}
spec:
  domian: shop.example.com
  environments:
    - {name: dev, tier: development}
  data:
    - {name: orders-db, type: postgres}
    - {name: jobs, type: rabbitmq}
  services:
    - name: orders
      image: ghcr.io/acme/orders:2.0.1
      uses: [orders]
    - name: web
      image: ghcr.io/acme/web:1.4.2
      port: 80800
`

// TestReadmeErrorExample keeps the README's promise about error output true:
// its example block must be exactly what validating readmeSpec prints.
func TestReadmeErrorExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "A spec that is wrong says where and why, all problems at once:\n\n```\n")
	block, _, ok2 := strings.Cut(after, "```")
	if !ok || !ok2 {
		t.Fatal("README.md no longer has the error example after \"A spec that is wrong says where and why\"")
	}
	d, err := Parse("platform.yaml", []byte(readmeSpec))
	if d != nil {
		err = Validate(d)
	}
	if err == nil {
		t.Fatal("the README's wrong spec validates")
	}
	if got := err.Error() + "\n"; got != block {
		t.Errorf("README.md promises\n%s\nvalidate says\n%s", block, got)
	}
}
