package spec

import (
	"reflect"
	"strconv"
	"strings"
)

// Shorthands are the struct types a spec may also write as a plain string,
// mapped to the key (json name) the string stands for: calls: [orders] is
// calls: [{service: orders}]. The loader reads them, and pkg/specdoc writes
// both forms into docs/spec.md and the JSON Schema.
var shorthands = map[reflect.Type]string{
	reflect.TypeOf(Call{}):  "service",
	reflect.TypeOf(Mount{}): "volume",
	reflect.TypeOf(Mesh{}):  "provider",
}

// integerText are the string types whose value may also be written as a YAML
// integer, which the loader keeps as its decimal text (port: 9090 next to
// port: grpc); the JSON Schema accepts both.
var integerText = map[reflect.Type]bool{
	reflect.TypeOf(PortRef("")): true,
}

// Shorthand returns the key a plain string stands for when the struct type
// named typeName is written as one, or "".
func Shorthand(typeName string) string {
	for t, key := range shorthands {
		if t.Name() == typeName {
			return key
		}
	}
	return ""
}

// IntegerText says whether the string type named typeName may also be
// written as an integer.
func IntegerText(typeName string) bool {
	for t := range integerText {
		if t.Name() == typeName {
			return true
		}
	}
	return false
}

// PortName is the name of a server's service port (on its container and
// its Service) for protocol p; an unset protocol is http.
func PortName(p Protocol) string {
	switch p {
	case ProtocolGRPC:
		return "grpc"
	case ProtocolWebSocket:
		return "ws"
	}
	return "http"
}

// ServicePort is a server's service port, name and number, with the
// defaults applied whether or not Default has run.
func (s *Service) ServicePort() (string, int32) {
	port := s.Port
	if port == 0 {
		port = DefaultPort
	}
	return PortName(s.Protocol), port
}

// ExtraPorts are a server's ports besides its service port and metrics
// port: its own ports, then each sidecar's, in spec order. Each is a named
// port of the Service that a call may name.
func (s *Service) ExtraPorts() []NamedPort {
	out := append([]NamedPort(nil), s.Ports...)
	for _, sc := range s.Sidecars {
		out = append(out, sc.Ports...)
	}
	return out
}

// CallTarget resolves a call's port against its callee: the service port,
// named or numbered, or it when ref is empty (extra is ""), or one of the
// callee's extra ports by name or number (extra is its name). ok is false
// when ref names no port of the callee that a call may reach.
func CallTarget(callee *Service, ref PortRef) (port int32, extra string, ok bool) {
	name, number := callee.ServicePort()
	switch string(ref) {
	case "", name, strconv.Itoa(int(number)):
		return number, "", true
	}
	for _, p := range callee.ExtraPorts() {
		if string(ref) == p.Name || string(ref) == strconv.Itoa(int(p.Port)) {
			return p.Port, p.Name, true
		}
	}
	return 0, "", false
}

// CallPort is the port number of CallTarget.
func CallPort(callee *Service, ref PortRef) (port int32, ok bool) {
	port, _, ok = CallTarget(callee, ref)
	return port, ok
}

// CallEnvName is the variable a call sets to the callee's address:
// ORDERS_ADDR for orders, CARD_API_ADDR for card-api; for an extra port,
// its name goes before _ADDR: ORDERS_ADMIN_ADDR for orders' port admin.
func CallEnvName(callee, extra string) string {
	v := envWord(callee)
	if extra != "" {
		v += "_" + envWord(extra)
	}
	return v + "_ADDR"
}

func envWord(s string) string { return strings.ToUpper(strings.ReplaceAll(s, "-", "_")) }
