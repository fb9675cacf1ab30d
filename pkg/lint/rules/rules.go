// Package rules is the catalog: the one explicit list of every rule
// platformctl knows. Nothing registers itself; a rule that is not listed
// here does not exist, and the catalog test fails for a rule without
// metadata, fixtures or a docs row.
package rules

import (
	"sort"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/hygiene"
	"github.com/platformctl/platformctl/pkg/lint/rules/networking"
	"github.com/platformctl/platformctl/pkg/lint/rules/reliability"
	"github.com/platformctl/platformctl/pkg/lint/rules/security"
)

// All returns every rule, sorted by ID.
func All() []lint.Rule {
	var all []lint.Rule
	all = append(all, lint.EngineRules()...)
	all = append(all, security.Rules()...)
	all = append(all, reliability.Rules()...)
	all = append(all, networking.Rules()...)
	all = append(all, hygiene.Rules()...)
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all
}

// ByID finds a rule.
func ByID(id string) (lint.Rule, bool) {
	for _, r := range All() {
		if r.ID == id {
			return r, true
		}
	}
	return lint.Rule{}, false
}
