package reliability

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDatabaseImages(t *testing.T) {
	for img, want := range map[string]string{
		"postgres": "PostgreSQL",
		"docker.io/library/postgres:16.4@sha256:9":              "PostgreSQL",
		"bitnami/postgresql:16":                                 "PostgreSQL",
		"ghcr.io/cloudnative-pg/postgresql:16.4":                "PostgreSQL",
		"registry.local:5000/mirror/mariadb:11":                 "MariaDB",
		"docker.elastic.co/elasticsearch/elasticsearch:8.16.1":  "Elasticsearch",
		"quay.io/prometheuscommunity/postgres-exporter:v0.17.1": "",
		"docker.io/bitnami/postgresql-repmgr:16":                "",
		"ghcr.io/acme/postgres-tools:1":                         "",
		"ghcr.io/acme/tools:postgres":                           "",
		"docker.io/library/rabbitmq:4":                          "",
	} {
		got := ""
		if e := dbEngineByImage[imageName(img)]; e != nil {
			got = e.name
		}
		assert.Equal(t, want, got, img)
	}
	seen := map[string]string{}
	for _, e := range dbEngines {
		for _, img := range e.images {
			assert.Empty(t, seen[img], fmt.Sprintf("%s is listed for %s and %s", img, seen[img], e.name))
			seen[img] = e.name
		}
	}
}
