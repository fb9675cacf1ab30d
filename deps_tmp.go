package main
import (
 _ "github.com/spf13/cobra"
 _ "github.com/spf13/viper"
 _ "sigs.k8s.io/kustomize/api/krusty"
 _ "sigs.k8s.io/kustomize/kyaml/yaml"
 _ "sigs.k8s.io/yaml"
 _ "k8s.io/api/apps/v1"
 _ "github.com/go-playground/validator/v10"
 _ "github.com/stretchr/testify/require"
 _ "sigs.k8s.io/gateway-api/apis/v1"
 _ "github.com/pmezard/go-difflib/difflib"
)
func main(){}
