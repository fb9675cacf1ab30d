package spec

import (
	"fmt"
	"slices"
	"strings"
)

// tierOrder ranks the tiers from least to most strict.
var tierOrder = []Tier{TierDevelopment, TierTesting, TierStaging, TierProduction}

// promotionMsgs are the promotion rule's messages (see Rules).
var promotionMsgs = []string{
	"%q is not an environment; the spec defines: %s",
	"%q is listed twice; each environment is one stage",
	"%q (tier %s) comes after %q (tier %s): promotion goes from the least strict tier to the most; reorder the list",
}

func checkPromotion(c *checkContext, report reportFunc) {
	seen := map[string]bool{}
	var prev *Environment
	for i, name := range c.s.Promotion {
		path := fmt.Sprintf("spec.promotion[%d]", i)
		e := c.p.Environment(name)
		switch {
		case e == nil:
			report(path, 0, name, strings.Join(c.p.EnvironmentNames(), ", "))
			continue
		case seen[name]:
			report(path, 1, name)
			continue
		}
		seen[name] = true
		if prev != nil && slices.Index(tierOrder, e.Tier) < slices.Index(tierOrder, prev.Tier) {
			report(path, 2, name, e.Tier, prev.Name, prev.Tier)
		}
		prev = e
	}
}

// PromotionStep returns where FROM's images go next, and refuses a
// promotion the spec's order does not allow, saying why.
func (p *Platform) PromotionStep(from, to string) error {
	order := p.Spec.Promotion
	if len(order) == 0 {
		return fmt.Errorf("spec.promotion is not set; declare the order, e.g. promotion: [%s]", strings.Join(p.EnvironmentNames(), ", "))
	}
	i, j := slices.Index(order, from), slices.Index(order, to)
	switch {
	case p.Environment(from) == nil:
		return fmt.Errorf("no environment %q; the spec defines: %s", from, strings.Join(p.EnvironmentNames(), ", "))
	case p.Environment(to) == nil:
		return fmt.Errorf("no environment %q; the spec defines: %s", to, strings.Join(p.EnvironmentNames(), ", "))
	case i < 0:
		return fmt.Errorf("%s is not a stage of spec.promotion (%s)", from, strings.Join(order, " → "))
	case j < 0:
		return fmt.Errorf("%s is not a stage of spec.promotion (%s)", to, strings.Join(order, " → "))
	case j <= i:
		return fmt.Errorf("%s comes before %s in spec.promotion (%s): images move forward only", to, from, strings.Join(order, " → "))
	case j > i+1:
		return fmt.Errorf("%s → %s skips %s (spec.promotion: %s); promote %s → %s first", from, to, strings.Join(order[i+1:j], ", "), strings.Join(order, " → "), from, order[i+1])
	}
	return nil
}
