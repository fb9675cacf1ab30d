package scaffold

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/platformctl/platformctl/pkg/spec"
)

// KeyValue is one --pod-annotation or --pod-label: the spec judges the
// key and value when the edit is validated, with positions.
type KeyValue struct {
	Key, Value string
}

// ParseKeyValues reads repeated KEY=VALUE flag values (flag names the
// flag in messages), in the order given; a key given twice is an error.
func ParseKeyValues(flag string, values []string) ([]KeyValue, error) {
	var out []KeyValue
	seen := map[string]bool{}
	for _, v := range values {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%s %q: want KEY=VALUE (e.g. example.com/team=storefront)", flag, v)
		}
		if seen[k] {
			return nil, fmt.Errorf("%s %q: the key %q is given twice", flag, v, k)
		}
		seen[k] = true
		out = append(out, KeyValue{k, val})
	}
	return out, nil
}

// ParsePorts reads --port values: a bare NUMBER is the service port
// (main, 0 when none is given, at most once), NAME=NUMBER an extra named
// port, in the order given.
func ParsePorts(values []string) (main int32, extra []spec.NamedPort, err error) {
	number := func(v, s string) (int32, error) {
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil || n < 1 || n > 65535 {
			return 0, fmt.Errorf("--port %q: %q is not a port number between 1 and 65535", v, s)
		}
		return int32(n), nil
	}
	for _, v := range values {
		name, num, named := strings.Cut(v, "=")
		if !named {
			if main != 0 {
				return 0, nil, fmt.Errorf("--port %q: the service port is already given; name an extra port NAME=NUMBER", v)
			}
			if main, err = number(v, v); err != nil {
				return 0, nil, fmt.Errorf("%w (an extra port is NAME=NUMBER, e.g. admin=9091)", err)
			}
			continue
		}
		if name == "" {
			return 0, nil, fmt.Errorf("--port %q: want NUMBER (the service port) or NAME=NUMBER (an extra port, e.g. admin=9091)", v)
		}
		n, err := number(v, num)
		if err != nil {
			return 0, nil, err
		}
		extra = append(extra, spec.NamedPort{Name: name, Port: n})
	}
	return main, extra, nil
}

func keyValues(kvs []KeyValue) object {
	o := make(object, len(kvs))
	for i, kv := range kvs {
		o[i] = field{string(str(kv.Key)), str(kv.Value)}
	}
	return o
}

func portsValue(ports []spec.NamedPort) seq {
	out := make(seq, len(ports))
	for i, p := range ports {
		out[i] = object{{"name", str(p.Name)}, {"port", num(p.Port)}}
	}
	return out
}
