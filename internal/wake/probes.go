package wake

import (
	"context"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/probe"
)

// answers probes the target, sharing the answer across requests for a short
// while; heard is whether the host itself answered (see probe.HostAnswers).
func (c *Controller) answers(ctx context.Context, t probe.Target) (heard, ok bool) {
	key := t.Scheme + "://" + t.Addr() + t.HealthPath
	now := c.now()
	c.probeMu.Lock()
	r, cached := c.probed[key]
	c.probeMu.Unlock()
	if cached && ((r.ok && now.Sub(r.at) < probeOKFor) || (!r.ok && now.Sub(r.at) < probeFailFor)) {
		return r.heard, r.ok
	}
	v, _, _ := c.probes.Do(key, func() (any, error) {
		err := c.prober.Probe(context.WithoutCancel(ctx), t)
		res := probeResult{ok: err == nil, heard: err == nil || probe.HostAnswers(err), at: c.now()}
		c.probeMu.Lock()
		if len(c.probed) > 1000 {
			c.probed = map[string]probeResult{}
		}
		c.probed[key] = res
		c.probeMu.Unlock()
		return res, nil
	})
	res := v.(probeResult)
	return res.heard, res.ok
}
