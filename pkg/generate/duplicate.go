package generate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/platformctl/platformctl/pkg/spec"
)

// DuplicateError is two parts of a spec generating the same object: names
// that are each valid but collide once platformctl derives its own names
// from them (a service "web-canary" next to service "web" with a canary, a
// service named like the default-deny NetworkPolicy, a store "db-backup"
// next to store "db" with backups).
type DuplicateError struct {
	ID            string // area/Kind/name
	First, Second string // spec paths of the entries that generated it
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("object %s is generated twice, for %s and for %s", e.ID, describe(e.First), describe(e.Second))
}

func describe(source string) string {
	if source == "" || source == "spec" {
		return "the platform itself"
	}
	return source
}

// entryPath returns the list entry a source path belongs to
// (spec.data[1].backup → spec.data[1]), or "" when it names none.
func entryPath(source string) string {
	rest, ok := strings.CutPrefix(source, "spec.")
	if !ok {
		return ""
	}
	open := strings.IndexByte(rest, '[')
	end := strings.IndexByte(rest, ']')
	if open <= 0 || end < open+2 {
		return ""
	}
	for _, r := range rest[open+1 : end] {
		if r < '0' || r > '9' {
			return ""
		}
	}
	if strings.ContainsRune(rest[:open], '.') {
		return ""
	}
	return "spec." + rest[:end+1]
}

// Locate turns a DuplicateError into a spec error at the name of the entry
// that collides, and an EnvConflictError into one at the variable, so every
// command reports them like any other spec problem; other errors are
// returned as they are.
func Locate(d *spec.Document, err error) error {
	var env *EnvConflictError
	if errors.As(err, &env) {
		msg := env.Msg
		if msg == "" {
			msg = fmt.Sprintf("%s is also set by platformctl for %s", env.Key, env.Owner)
		}
		return spec.ErrorList{{File: d.File, Pos: d.Pos(env.Path), Path: env.Path, Msg: msg}}
	}
	var dup *DuplicateError
	if !errors.As(err, &dup) {
		return err
	}
	// Point at the entry that has a name to change, preferring the later
	// one: it is usually the one just added.
	at, other := dup.Second, dup.First
	if entryPath(at) == "" && entryPath(other) != "" {
		at, other = other, at
	}
	path := at
	if e := entryPath(at); e != "" {
		path = e + ".name"
	}
	area, kind, name := splitID(dup.ID)
	return spec.ErrorList{{
		File: d.File, Pos: d.Pos(path), Path: path,
		Msg: fmt.Sprintf("the name collides with another object platformctl generates: %s %q in the %s namespace is also generated for %s; rename one of them",
			kind, name, area, describe(other)),
	}}
}

// CheckNames generates the base and every environment's objects only to
// find names that collide, which field rules cannot see.
func CheckNames(d *spec.Document) error {
	if _, err := Objects(d.Platform, nil); err != nil {
		return Locate(d, err)
	}
	for i := range d.Platform.Spec.Environments {
		if _, err := Objects(d.Platform, &d.Platform.Spec.Environments[i]); err != nil {
			return Locate(d, err)
		}
	}
	return nil
}

func splitID(id string) (area, kind, name string) {
	parts := strings.SplitN(id, "/", 3)
	if len(parts) != 3 {
		return "", "object", id
	}
	return parts[0], parts[1], parts[2]
}
