package spec

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRestoreTestSchedule(t *testing.T) {
	tests := []struct{ backup, want string }{
		{"0 3 * * *", "0 5 * * *"},
		{"30 23 * * *", "30 1 * * *"},     // every day: wrapping past midnight is harmless
		{"15 9 * * 1-5", "15 11 * * 1-5"}, // same weekday when no wrap
		{"0 23 * * 0", "0 6 * * *"},       // a wrap would move a weekly test to Monday
		{"*/30 * * * *", "0 6 * * *"},
		{"@daily", "0 6 * * *"},
	}
	for _, tt := range tests {
		t.Run(tt.backup, func(t *testing.T) {
			assert.Equal(t, tt.want, restoreTestSchedule(tt.backup))
		})
	}
}
