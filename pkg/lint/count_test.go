package lint

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCount(t *testing.T) {
	assert.Equal(t, "0 errors", Count(0, "error"))
	assert.Equal(t, "1 error", Count(1, "error"))
	assert.Equal(t, "2 errors", Count(2, "error"))
	assert.Equal(t, "1 replica", Count(int64(1), "replica"))
	assert.Equal(t, "-1 objects", Count(-1, "object"))
}
