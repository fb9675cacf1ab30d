package scaffold

import (
	"errors"
	"path/filepath"
	"slices"

	"github.com/platformctl/platformctl/pkg/spec"
)

// Promote writes the images environment from runs into environment to's
// overrides (for the services named, or every service when none is), as
// SetImages does. The step must be the next one of spec.promotion. A
// service to already runs from's image for is left alone; changes is
// empty when nothing differs. Canary images are not per environment
// (spec.services[].canary runs wherever the service does), so a promotion
// never touches them.
func Promote(file string, data []byte, from, to string, services []string) (res *Result, changes []ImageChange, err error) {
	d, err := spec.Parse(file, data)
	if err == nil {
		d.Dir = filepath.Dir(file)
		err = spec.Finish(d)
	}
	if err != nil {
		var list spec.ErrorList
		if errors.As(err, &list) {
			return nil, nil, &RefusedError{Reason: file + " is not a valid spec; fix it first:", Problems: list}
		}
		return nil, nil, err
	}
	p := d.Platform
	if err := p.PromotionStep(from, to); err != nil {
		return nil, nil, refuse("refusing to promote: %v", err)
	}
	names := serviceNames(p)
	for _, s := range services {
		if !slices.Contains(names, s) {
			return nil, nil, refuse("--service %s: no such service%s", s, didYouMean(s, names))
		}
	}
	var sets []ImageSet
	for _, s := range p.Spec.Services {
		if len(services) > 0 && !slices.Contains(services, s.Name) {
			continue
		}
		if img := imageIn(p, from, s); img != imageIn(p, to, s) {
			sets = append(sets, ImageSet{Service: s.Name, Image: img})
		}
	}
	if len(sets) == 0 {
		return &Result{Data: data, Doc: d}, nil, nil
	}
	return SetImages(file, data, sets, ImageTarget{Env: to})
}

// imageIn is the image service s runs in environment env: its override's,
// else its own.
func imageIn(p *spec.Platform, env string, s spec.Service) string {
	if e := p.Environment(env); e != nil {
		if o, ok := e.Overrides.Services[s.Name]; ok && o.Image != "" {
			return o.Image
		}
	}
	return s.Image
}
