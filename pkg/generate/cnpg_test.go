package generate

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPostgresUID: CloudNativePG runs an instance as the image's postgres
// user only when told its UID; the official image's is 999 however the
// reference is written, and the operator's own images keep its default.
func TestPostgresUID(t *testing.T) {
	tests := []struct {
		image string
		want  int64
	}{
		{"docker.io/library/postgres:16.4@sha256:96d71e7844cd87255fe8cd99e2f2fa95579cde47435ef6d970b3339093b661b2", 999},
		{"postgres:17", 999},
		{"index.docker.io/library/postgres:17-bookworm", 999},
		{"postgis/postgis:16-3.4", 999},
		{"ghcr.io/ferretdb/postgres-documentdb:17-0.107.0-ferretdb-2.7.0", 999},
		{"ghcr.io/cloudnative-pg/postgresql:16.4", 0},
		{"registry.example.com/library/postgres:16", 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, postgresUID(tt.image), tt.image)
	}
}
