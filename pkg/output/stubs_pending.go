package output

import (
	"errors"
	"io"
)

// These formats are being written; until then they refuse loudly rather
// than print something a CI system would misread.
var errPending = errors.New("output format not available yet")

// SARIF writes SARIF 2.1.0.
func SARIF(io.Writer, *Report) error { return errPending }

// JUnit writes JUnit XML.
func JUnit(io.Writer, *Report) error { return errPending }

// GitHub writes GitHub Actions workflow commands.
func GitHub(io.Writer, *Report) error { return errPending }
