//go:build !unix

package filetxn

import (
	"io/fs"
	"os"
)

// accessWrite has no kernel check to ask here; the permission bits (a
// read-only attribute shows as no write bit) are checked by the caller.
func accessWrite(string) error { return nil }

// keepOwner has nothing to keep where files have no Unix owner.
func keepOwner(*os.File, fs.FileInfo) error { return nil }
