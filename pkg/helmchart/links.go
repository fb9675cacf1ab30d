package helmchart

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
)

// checkLinks refuses what Helm's loader would follow out of the chart: a
// symbolic link that resolves outside dir (lint reads only what the
// argument holds, as it never follows links in folders) or that cannot be
// resolved (a loop). A link inside the chart is followed, as Helm does.
func checkLinks(dir string) error {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	var errs []*Error
	// WalkDir does not follow links, so a loop cannot trap it.
	walkErr := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		target, err := filepath.EvalSymlinks(p)
		if err != nil {
			errs = append(errs, &Error{File: p, Line: 1, Col: 1, Msg: "symbolic link that cannot be resolved (a loop?); lint does not follow it"})
			return nil
		}
		abs, err := filepath.Abs(target)
		switch {
		case err != nil || !within(abs, root):
			errs = append(errs, &Error{File: p, Line: 1, Col: 1, Msg: "symbolic link to " + target + ", outside the chart; lint reads only what the chart folder holds"})
		case isAncestor(abs, p, root):
			// Helm's loader would walk into it again and again.
			errs = append(errs, &Error{File: p, Line: 1, Col: 1, Msg: "symbolic link to a folder that holds it (a loop); lint does not follow it"})
		}
		return nil
	})
	if walkErr != nil {
		return fmt.Errorf("read %s: %w", dir, walkErr)
	}
	joined := make([]error, len(errs))
	for i, e := range errs {
		joined[i] = e
	}
	return errors.Join(joined...)
}

// within says whether p is root or below it.
func within(p, root string) bool {
	return p == root || strings.HasPrefix(p, root+string(filepath.Separator))
}

// isAncestor says whether target is a folder the link at p (below dir,
// whose resolved path is root) sits in.
func isAncestor(target, p, root string) bool {
	parent, err := filepath.EvalSymlinks(filepath.Dir(p))
	if err != nil {
		return true
	}
	if parent, err = filepath.Abs(parent); err != nil {
		return true
	}
	return within(parent, target) && within(target, root)
}
