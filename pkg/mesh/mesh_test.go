package mesh

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestInboundPort(t *testing.T) {
	type m = map[string]string
	for _, c := range []struct {
		name                 string
		nsL, nsA, podL, podA m
		want                 int32
	}{
		{name: "outside", want: 0},
		{name: "ambient namespace", nsL: m{LabelIstioDataplaneMode: Ambient}, want: HBONEPort},
		{name: "ambient pod", podL: m{LabelIstioDataplaneMode: Ambient}, want: HBONEPort},
		{name: "pod opts out", nsL: m{LabelIstioDataplaneMode: Ambient}, podL: m{LabelIstioDataplaneMode: "none"}, want: 0},
		{name: "inbound bypassed", podL: m{LabelIstioDataplaneMode: Ambient}, podA: m{AnnotationIstioBypassInbound: "true"}, want: 0},
		{name: "linkerd namespace", nsA: m{AnnotationLinkerdInject: "enabled"}, want: LinkerdInboundPort},
		{name: "linkerd pod disabled", nsA: m{AnnotationLinkerdInject: "enabled"}, podA: m{AnnotationLinkerdInject: "disabled"}, want: 0},
		{name: "linkerd label is not an annotation", nsL: m{AnnotationLinkerdInject: "enabled"}, want: 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, InboundPort(c.nsL, c.nsA, c.podL, c.podA))
		})
	}
}
