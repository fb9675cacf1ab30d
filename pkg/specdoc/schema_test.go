package specdoc

import (
	"strings"
	"testing"
)

func TestSchemaRefusesUntranslatedRules(t *testing.T) {
	f := &field{Owner: "T", GoName: "F", YAML: "f", Type: &typeRef{Kind: kindBasic, Name: "string"}}
	for _, rule := range []string{"uuid", "gte=1", "startswith=x"} {
		var s obj
		err := scalarRules(f, "T.F", "string", []string{rule}, &s)
		if err == nil || !strings.Contains(err.Error(), "T.F") {
			t.Errorf("%s: want an error naming the field, got %v", rule, err)
		}
	}
	var s obj
	if err := collectionRules(f, kindSlice, []string{"unique"}, &s); err == nil {
		t.Error("unique on a list: want an error")
	}
}

func TestJSONDefault(t *testing.T) {
	str, i32, b := &typeRef{Kind: kindBasic, Name: "string"}, &typeRef{Kind: kindBasic, Name: "int32"}, &typeRef{Kind: kindBasic, Name: "bool"}
	for _, tt := range []struct {
		text string
		t    *typeRef
		want any
		ok   bool
	}{
		{"`8080`", i32, int64(8080), true},
		{"`gateway`", str, "gateway", true},
		{"`\"16\"`", str, "16", true},
		{"`true`", b, true, true},
		{"`platform`; `nginx` when `api` is `ingress-nginx`", str, nil, false},
		{"same as `port`", i32, nil, false},
		{"`<name>.<domain>`", str, nil, false},
		{"`{a: b}`", &typeRef{Kind: kindMap, Elem: str}, nil, false},
	} {
		got, ok := jsonDefault(tt.text, tt.t)
		if ok != tt.ok || got != tt.want {
			t.Errorf("jsonDefault(%q) = %v, %v; want %v, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
}
