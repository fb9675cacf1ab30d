// Command floor links exactly the libraries the product must use (cobra,
// viper, validator, kustomize's krusty, sigs.k8s.io/yaml, the Kubernetes
// API types) and calls the entry points platformctl calls — only when
// given the argument "run", which the benchmark never passes. Linking is
// not enough: the linker drops the initialisation of a large map nobody
// can reach (validator's country and currency tables, for one), so a
// program that merely imports these packages starts faster than any
// program that uses them. Its start-up time is the floor under every
// platformctl command, whatever platformctl itself does lazily.
package main

import (
	"fmt"
	"os"

	"github.com/go-playground/validator/v10"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "run" {
		fmt.Println("floor")
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	v := viper.New()
	v.SetConfigFile(".floor.yaml")
	_ = v.ReadInConfig()
	root := &cobra.Command{Use: "floor", RunE: func(*cobra.Command, []string) error { return nil }}
	if err := root.Execute(); err != nil {
		return err
	}
	type spec struct {
		Name string `validate:"required,hostname_rfc1123"`
	}
	if err := validator.New(validator.WithRequiredStructEnabled()).Struct(spec{Name: "a"}); err != nil {
		return err
	}
	out, err := yaml.Marshal([]any{&corev1.Service{}, &appsv1.Deployment{}})
	if err != nil {
		return err
	}
	fmt.Print(string(out))
	_, err = krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), ".")
	return err
}
