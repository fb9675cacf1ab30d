// Command floor links exactly the libraries the product must use (cobra,
// viper, validator, kustomize's krusty, sigs.k8s.io/yaml, the Kubernetes
// API types) and does nothing: its start-up time is the floor under any
// platformctl command, whatever platformctl itself does lazily.
package main

import (
	"fmt"

	_ "github.com/go-playground/validator/v10"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/viper"
	_ "k8s.io/api/apps/v1"
	_ "k8s.io/api/core/v1"
	_ "sigs.k8s.io/kustomize/api/krusty"
	_ "sigs.k8s.io/yaml"
)

func main() { fmt.Println("floor") }
