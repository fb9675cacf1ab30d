// Package gzjson writes and reads the gzip-compressed JSON that generated
// data is embedded as (CRD and API schemas): compact in the binary, and
// byte-for-byte the same for the same value, so a regenerated file only
// changes when its content does.
package gzjson

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
)

// Marshal is v as JSON (map keys sorted, as encoding/json writes them),
// compressed at the best level with an empty gzip header (no name, no
// time).
func Marshal(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Unmarshal decompresses data and decodes its JSON into v.
func Unmarshal(data []byte, v any) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	return json.Unmarshal(raw, v)
}
