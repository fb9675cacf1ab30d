// Package baseline lets a repository adopt lint with findings it already
// has: `lint --write-baseline FILE` records them, `lint --baseline FILE`
// reports those as known and fails only on new ones.
//
// A finding is known by its rule, its object (Kind namespace/name) and the
// field it is about, never by file or line: editing a file above a known
// finding, or moving an object to another file, keeps it known, while the
// same defect in another object or another field is new. Two findings with
// the same key are counted, so a second one is new.
package baseline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/platformctl/platformctl/pkg/lint"
)

// Version is the file format's version.
const Version = "platformctl.dev/lint-baseline/v1"

// SuppressionKind marks a finding the baseline knows (lint.Suppression.Kind).
const SuppressionKind = "baseline"

// Entry is one known finding (Count of them with the same key).
type Entry struct {
	Rule   string `json:"rule"`
	Object string `json:"object"`
	Path   string `json:"path,omitempty"`
	// Message is the finding's message when it was recorded, for people
	// reading the file and for reporting a fixed finding; not matched.
	Message string `json:"message"`
	Count   int    `json:"count,omitempty"`
}

func (e Entry) key() string { return e.Rule + "\x00" + e.Object + "\x00" + e.Path }

// File is a baseline.
type File struct {
	Version  string  `json:"version"`
	Findings []Entry `json:"findings"`
}

// From records findings, sorted by key; a key found n times is one entry
// with count n (count omitted when 1).
func From(findings []lint.Diagnostic) *File {
	byKey := map[string]*Entry{}
	for _, d := range findings {
		e := Entry{Rule: d.RuleID, Object: d.Object, Path: d.Path, Message: d.Message}
		if have, ok := byKey[e.key()]; ok {
			have.Count++
			continue
		}
		e.Count = 1
		byKey[e.key()] = &e
	}
	f := &File{Version: Version, Findings: []Entry{}}
	for _, e := range byKey {
		if e.Count == 1 {
			e.Count = 0
		}
		f.Findings = append(f.Findings, *e)
	}
	sort.Slice(f.Findings, func(i, j int) bool { return f.Findings[i].key() < f.Findings[j].key() })
	return f
}

// Marshal is the file's bytes: indented JSON, one key order, a final newline.
func (f *File) Marshal() []byte {
	b, _ := json.MarshalIndent(f, "", "  ") // strings and ints only: cannot fail
	return append(b, '\n')
}

// Parse reads a baseline written by Marshal (name is used in messages).
func Parse(name string, data []byte) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: not a lint baseline: %w", name, err)
	}
	if f.Version != Version {
		return nil, fmt.Errorf("%s: version %q, want %q (write it again with --write-baseline)", name, f.Version, Version)
	}
	for i, e := range f.Findings {
		if e.Rule == "" || e.Object == "" || e.Count < 0 {
			return nil, fmt.Errorf("%s: findings[%d]: rule and object are required and count is not negative", name, i)
		}
	}
	return &f, nil
}

// Apply moves the findings of res the baseline knows into res.Suppressed,
// marked with SuppressionKind and reason, and returns the entries no
// finding matched any more (fixed since the baseline was written), one per
// missing count.
func (f *File) Apply(res *lint.Result, reason string) (fixed []Entry) {
	left := map[string]int{}
	for _, e := range f.Findings {
		left[e.key()] += max(e.Count, 1)
	}
	kept := res.Findings[:0]
	for _, d := range res.Findings {
		k := Entry{Rule: d.RuleID, Object: d.Object, Path: d.Path}.key()
		if left[k] > 0 {
			left[k]--
			d.Suppression = &lint.Suppression{Kind: SuppressionKind, Reason: reason}
			res.Suppressed = append(res.Suppressed, d)
			continue
		}
		kept = append(kept, d)
	}
	res.Findings = kept
	for _, e := range f.Findings {
		for ; left[e.key()] > 0; left[e.key()]-- {
			one := e
			one.Count = 0
			fixed = append(fixed, one)
		}
	}
	lint.SortDiagnostics(res.Suppressed)
	return fixed
}
