package facts

import "github.com/platformctl/platformctl/pkg/lint"

// PDBSelector reads a PDB's selector. policy/v1 selects every pod of the
// namespace with an empty selector; policy/v1beta1 selected none.
func PDBSelector(pdb *lint.Object) Selector {
	sel := LabelSelector(lint.Get(pdb.Root, "spec", "selector"))
	if pdb.APIVersion == "policy/v1beta1" && sel.Empty() {
		return Selector{}
	}
	return sel
}

// PDBs is every PDB filed under its namespace for pod-label lookups,
// once per run.
var PDBs = lint.NewKey("PodDisruptionBudgets by namespace", pdbIndex)

func pdbIndex(s *lint.Set) map[string]*SelectorIndex {
	idx := map[string]*SelectorIndex{}
	for _, pdb := range s.OfKind(KindPDB) {
		ix := idx[pdb.Namespace]
		if ix == nil {
			ix = &SelectorIndex{}
			idx[pdb.Namespace] = ix
		}
		ix.add(pdb, PDBSelector(pdb))
	}
	for _, ix := range idx {
		ix.file()
	}
	return idx
}
