package output

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/platformctl/platformctl/pkg/baseline"
	"github.com/platformctl/platformctl/pkg/lint"
)

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	// ProjectURL is the tool's home page (SARIF informationUri).
	ProjectURL = "https://github.com/platformctl/platformctl"
	// srcRoot is the base that relative artifact URIs resolve against;
	// GitHub code scanning maps it to the repository checkout.
	srcRoot = "%SRCROOT%"
	// fingerprintKey names our own result identity. GitHub code scanning
	// reads only primaryLocationLineHash, so the same value is written there
	// too (see sarifFingerprint).
	fingerprintKey = "platformctl/v1"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                        `json:"tool"`
	OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds,omitempty"`
	// Results is never null: an empty array is how SARIF says "checked,
	// found nothing", while a missing one means "did not run".
	Results    []sarifResult `json:"results"`
	ColumnKind string        `json:"columnKind"`
	// Invocations is written only when part of the input could not be
	// read: each bad document is a toolExecutionNotification with its
	// location, and the invocation did not succeed.
	Invocations []sarifInvocation `json:"invocations,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications"`
}

type sarifNotification struct {
	Level      string                `json:"level"`
	Message    sarifMessage          `json:"message"`
	Locations  []sarifLocation       `json:"locations,omitempty"`
	Descriptor *sarifReportingDescID `json:"descriptor,omitempty"`
}

type sarifReportingDescID struct {
	ID string `json:"id"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name,omitempty"`
	ShortDescription     *sarifMessage      `json:"shortDescription,omitempty"`
	FullDescription      *sarifMessage      `json:"fullDescription,omitempty"`
	Help                 *sarifMessage      `json:"help,omitempty"`
	HelpURI              string             `json:"helpUri,omitempty"`
	DefaultConfiguration *sarifRuleConfig   `json:"defaultConfiguration,omitempty"`
	Properties           *sarifRuleProperty `json:"properties,omitempty"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProperty struct {
	Category   string   `json:"category,omitempty"`
	Tags       []string `json:"tags,omitempty"`
	References []string `json:"references,omitempty"`
	// SecuritySeverity is GitHub's 0–10 score; with the "security" tag it
	// turns an alert into a security alert ranked critical/high/medium/low.
	SecuritySeverity string `json:"security-severity,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifMessage       `json:"message"`
	Locations           []sarifLocation    `json:"locations,omitempty"`
	PartialFingerprints map[string]string  `json:"partialFingerprints,omitempty"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	// BaselineState is new, unchanged or absent against --baseline (SARIF
	// 3.27.24); omitted without one.
	BaselineState string                 `json:"baselineState,omitempty"`
	Properties    *sarifResultProperties `json:"properties,omitempty"`
}

type sarifResultProperties struct {
	// Path is the field the finding is about; Source the spec entry that
	// produced the object. Neither has a SARIF home, and both are what a
	// reader needs when many objects point at one spec line.
	Path   string `json:"path,omitempty"`
	Source string `json:"source,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI         string        `json:"uri,omitempty"`
	URIBaseID   string        `json:"uriBaseId,omitempty"`
	Description *sarifMessage `json:"description,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogicalLocation struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification,omitempty"`
}

// SARIF writes SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure
// DevOps). Suppressed findings are always included, marked with their
// suppression: consumers show them as dismissed rather than as fixed.
func SARIF(w io.Writer, r *Report) error {
	rules := sarifRules(r)
	index := make(map[string]int, len(rules))
	for i, rule := range rules {
		index[rule.ID] = i
	}

	all := make([]lint.Diagnostic, 0, len(r.Result.Findings)+len(r.Result.Suppressed))
	all = append(all, r.Result.Findings...)
	all = append(all, r.Result.Suppressed...)
	sortForOutput(all)

	results := make([]sarifResult, 0, len(all))
	seen := map[string]int{}
	for _, d := range all {
		res := sarifResult{
			RuleID:    d.RuleID,
			RuleIndex: index[d.RuleID],
			Level:     sarifLevel(d.Severity),
			Message:   sarifMessage{Text: messageWithObject(d)},
		}
		if loc := sarifLocationOf(d); loc != nil {
			res.Locations = []sarifLocation{*loc}
		}
		fp := sarifFingerprint(d)
		seen[fp]++
		fp = fmt.Sprintf("%s:%d", fp, seen[fp])
		res.PartialFingerprints = map[string]string{fingerprintKey: fp, "primaryLocationLineHash": fp}
		switch s := d.Suppression; {
		case r.Baseline != nil && s != nil && s.Kind == baseline.SuppressionKind:
			// Known, not dismissed: code scanning keeps it open, as it was.
			res.BaselineState = "unchanged"
		case s != nil:
			res.Suppressions = []sarifSuppression{{Kind: sarifSuppressionKind(s.Kind), Status: "accepted", Justification: s.Reason}}
		}
		if r.Baseline != nil && res.BaselineState == "" {
			res.BaselineState = "new"
		}
		if d.Path != "" || d.Source != "" {
			res.Properties = &sarifResultProperties{Path: d.Path, Source: d.Source}
		}
		results = append(results, res)
	}
	if r.Baseline != nil {
		for _, e := range r.Baseline.Fixed {
			results = append(results, sarifResult{
				RuleID: e.Rule, RuleIndex: index[e.Rule], Level: "none", BaselineState: "absent",
				Message:   sarifMessage{Text: e.Message + " (" + e.Object + ")"},
				Locations: []sarifLocation{{LogicalLocations: []sarifLogicalLocation{{FullyQualifiedName: e.Object, Kind: "resource"}}}},
			})
		}
	}

	log := sarifLog{
		Schema:  sarifSchema,
		Version: sarifVersion,
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name: "platformctl", Version: r.ToolVersion, InformationURI: ProjectURL, Rules: rules,
			}},
			OriginalURIBaseIDs: map[string]sarifArtifactLocation{
				srcRoot: {Description: &sarifMessage{Text: "The directory platformctl lint ran in; relative paths in findings start there."}},
			},
			Results: results,
			// yaml.v3 counts columns in characters, not UTF-16 units (the
			// SARIF default), so say so or non-ASCII lines point off by some.
			ColumnKind:  "unicodeCodePoints",
			Invocations: sarifInvocations(r),
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Messages quote YAML and shell (<, >, &); keep them readable.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	return nil
}

func sarifInvocations(r *Report) []sarifInvocation {
	if len(r.InputErrors) == 0 {
		return nil
	}
	inv := sarifInvocation{ToolExecutionNotifications: make([]sarifNotification, 0, len(r.InputErrors))}
	for _, ie := range r.InputErrors {
		n := sarifNotification{Level: "error", Message: sarifMessage{Text: ie.Msg}, Descriptor: &sarifReportingDescID{ID: inputErrorTitle}}
		if loc := sarifLocationOf(lint.Diagnostic{File: ie.File, Line: ie.Line, Column: ie.Col}); loc != nil {
			n.Locations = []sarifLocation{*loc}
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	return []sarifInvocation{inv}
}

// messageWithObject names the object after the message, as the text format
// does: code scanning shows the message but not logical locations, and
// objects rendered from one spec entry all point at its line.
func messageWithObject(d lint.Diagnostic) string {
	if d.Object == "" {
		return d.Message
	}
	return d.Message + " (" + d.Object + ")"
}

// sarifRules lists the rules that ran, plus any rule a finding names that
// did not (a merged result, or a rule disabled after the fact), so every
// result has a ruleIndex to point at.
func sarifRules(r *Report) []sarifRule {
	byID := map[string]lint.Rule{}
	for _, rule := range r.Result.Rules {
		byID[rule.ID] = rule
	}
	for _, ds := range [][]lint.Diagnostic{r.Result.Findings, r.Result.Suppressed} {
		for _, d := range ds {
			if _, ok := byID[d.RuleID]; ok {
				continue
			}
			rule, ok := r.Rule(d.RuleID)
			if !ok {
				rule = lint.Rule{ID: d.RuleID, Severity: d.Severity}
			}
			byID[d.RuleID] = rule
		}
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]sarifRule, 0, len(ids))
	for _, id := range ids {
		out = append(out, sarifRuleOf(byID[id]))
	}
	return out
}

func sarifRuleOf(rule lint.Rule) sarifRule {
	out := sarifRule{
		ID:               rule.ID,
		Name:             camelCase(rule.ID),
		ShortDescription: textMessage(rule.Title),
		FullDescription:  textMessage(rule.Description),
		HelpURI:          HelpURI(rule),
	}
	if rule.Severity != 0 {
		out.DefaultConfiguration = &sarifRuleConfig{Level: sarifLevel(rule.Severity)}
	}
	if rule.Remediation != "" || rule.Description != "" {
		out.Help = &sarifMessage{Text: rule.Remediation, Markdown: helpMarkdown(rule)}
		if out.Help.Text == "" {
			out.Help.Text = rule.Description
		}
	}
	if rule.Category != "" || len(rule.References) > 0 {
		p := &sarifRuleProperty{Category: string(rule.Category), References: rule.References}
		if rule.Category != "" {
			p.Tags = []string{string(rule.Category)}
		}
		if rule.Category == lint.CategorySecurity {
			p.SecuritySeverity = securitySeverity(rule.Severity)
		}
		out.Properties = p
	}
	return out
}

func textMessage(s string) *sarifMessage {
	if s == "" {
		return nil
	}
	return &sarifMessage{Text: s}
}

// helpMarkdown is what GitHub shows under "Rule" on an alert: the whole
// catalog entry, so nobody has to leave the alert to fix it.
func helpMarkdown(rule lint.Rule) string {
	var b strings.Builder
	if rule.Description != "" {
		b.WriteString(rule.Description + "\n\n")
	}
	if rule.Remediation != "" {
		b.WriteString("**Remediation:** " + rule.Remediation + "\n\n")
	}
	if len(rule.References) > 0 {
		b.WriteString("**References:** " + strings.Join(rule.References, ", ") + "\n\n")
	}
	if rule.CEL != nil && rule.Category == lint.CategoryCustom {
		b.WriteString("**CEL:** `" + rule.CEL.Expression + "`\n\n")
	}
	if u := HelpURI(rule); u != "" {
		fmt.Fprintf(&b, "[Documentation for %s](%s)", rule.ID, u)
	}
	return strings.TrimSuffix(b.String(), "\n\n")
}

func sarifLevel(s lint.Severity) string {
	switch s {
	case lint.Error:
		return "error"
	case lint.Warning:
		return "warning"
	}
	return "note"
}

// securitySeverity maps onto GitHub's bands: ≥7 high, ≥4 medium, else low.
func securitySeverity(s lint.Severity) string {
	switch s {
	case lint.Error:
		return "8.0"
	case lint.Warning:
		return "5.0"
	}
	return "2.0"
}

func sarifSuppressionKind(kind string) string {
	if kind == "annotation" {
		return "inSource"
	}
	return "external"
}

// sarifLocationOf returns nil when there is neither a file nor an object.
// A pseudo-file such as <stdin> has no URI a consumer could open, so it
// gets only the logical location.
func sarifLocationOf(d lint.Diagnostic) *sarifLocation {
	loc := &sarifLocation{}
	if d.File != "" && !isPseudoFile(d.File) {
		uri, base := fileURI(d.File)
		pl := &sarifPhysicalLocation{ArtifactLocation: sarifArtifactLocation{URI: uri, URIBaseID: base}}
		if d.Line > 0 {
			pl.Region = &sarifRegion{StartLine: d.Line}
			if d.Column > 0 {
				pl.Region.StartColumn = d.Column
			}
		}
		loc.PhysicalLocation = pl
	}
	if d.Object != "" {
		loc.LogicalLocations = []sarifLogicalLocation{{Name: d.Name, FullyQualifiedName: d.Object, Kind: "resource"}}
	}
	if loc.PhysicalLocation == nil && loc.LogicalLocations == nil {
		return nil
	}
	return loc
}

func isPseudoFile(f string) bool {
	return f == "-" || (strings.HasPrefix(f, "<") && strings.HasSuffix(f, ">"))
}

// slashPath is the file as a forward-slash path, so output and fingerprints
// are the same whichever OS ran the lint.
func slashPath(file string) string {
	return path.Clean(filepath.ToSlash(file))
}

// fileURI turns a file path into a URI reference: relative paths stay
// relative to %SRCROOT%, absolute ones become file URIs.
func fileURI(file string) (uri, base string) {
	p := slashPath(file)
	if filepath.IsAbs(file) || strings.HasPrefix(p, "/") {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // C:/x → /C:/x
		}
		return "file://" + escapePath(p), ""
	}
	return escapePath(p), srcRoot
}

// escapePath percent-encodes everything but unreserved characters, '/' and
// the sub-delimiters. ':' is always encoded so "a:b.yaml" cannot be read
// as a URI with scheme "a"; '%' and spaces must be, or the URI is invalid.
func escapePath(p string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-._~/!$&'()*+,;=@", c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

// sarifFingerprint identifies a finding by what it is about (rule, file,
// object, field), not where it is, so inserting lines above it does not
// turn it into a new alert. Callers append an occurrence count for
// findings that share all four.
func sarifFingerprint(d lint.Diagnostic) string {
	h := sha256.New()
	file := d.File
	if !isPseudoFile(file) {
		file = slashPath(file)
	}
	for _, s := range []string{d.RuleID, file, d.Object, d.Path} {
		// Length-prefixed so ("ab","c") and ("a","bc") differ.
		fmt.Fprintf(h, "%d:%s;", len(s), s)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// camelCase turns a kebab-case ID into SARIF's PascalCase rule name
// ("host-network" → "HostNetwork").
func camelCase(id string) string {
	var b strings.Builder
	upper := true
	for _, c := range id {
		if c == '-' || c == '_' || c == '.' || c == ' ' {
			upper = true
			continue
		}
		if upper {
			b.WriteString(strings.ToUpper(string(c)))
			upper = false
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// sortForOutput orders like lint.SortDiagnostics and breaks its remaining
// ties, so output does not depend on the order findings arrived in.
func sortForOutput(ds []lint.Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		switch {
		case a.File != b.File:
			return a.File < b.File
		case a.Line != b.Line:
			return a.Line < b.Line
		case a.Column != b.Column:
			return a.Column < b.Column
		case a.RuleID != b.RuleID:
			return a.RuleID < b.RuleID
		case a.Object != b.Object:
			return a.Object < b.Object
		case a.Path != b.Path:
			return a.Path < b.Path
		case a.Message != b.Message:
			return a.Message < b.Message
		case a.Severity != b.Severity:
			return a.Severity > b.Severity
		}
		return suppressionKey(a) < suppressionKey(b)
	})
}

// suppressionKey sorts active findings before suppressed ones.
func suppressionKey(d lint.Diagnostic) string {
	if d.Suppression == nil {
		return ""
	}
	return "\x00" + d.Suppression.Kind + "\x00" + d.Suppression.Reason
}
