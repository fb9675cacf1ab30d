// Package yamlfast decodes the block-style YAML that Kubernetes manifests are
// written in into the same *yaml.Node trees go-yaml v3 builds (same Kind,
// Style, Tag, Value, Line, Column and Content), several times faster and with
// a few large allocations per input instead of one per node.
//
// It handles a deliberate subset: block mappings and sequences (including
// sequences indented at their key's level), plain, single- and double-quoted
// scalars (folded over several lines too), literal and folded block scalars,
// single-line flow collections, comments, document markers, a %YAML 1.1
// directive, LF or CR LF line ends. Anything else (anchors, aliases, tags,
// complex keys, multi-line flow collections, tabs, lone CRs, odd
// indentation, syntax errors) makes Parse report that it did not take the
// input, and the caller decodes the whole input with go-yaml v3, so results
// and error messages never depend on which decoder ran. Comments are not
// kept: nothing in the linter reads them. Like go-yaml's Node decoding, it
// keeps a mapping key that is repeated; pkg/lint refuses those in one walk
// over the tree, whichever decoder built it.
package yamlfast
