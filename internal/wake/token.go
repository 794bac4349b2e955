package wake

import (
	"net"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/waketoken"
)

// waketokenClaims are what a token says of a task whose address is known.
func waketokenClaims(svc config.Service, t target, st Status, now time.Time) waketoken.Claims {
	c := waketoken.Claims{
		Service: svc.ID(), Task: t.task, Stage: st.Stage,
		Scheme: t.probe.Scheme, Host: t.probe.Host, Port: t.probe.Port,
		Issued: now.UnixMilli(), Expires: now.Add(tokenLife).UnixMilli(),
	}
	if svc.Address == config.AddressURL {
		c.URL = t.base.String()
	}
	return c
}

// targetOfClaims is where a token's task answers. The host is the one ECS or
// EC2 reported when the token was signed; the scheme, port and fixed URL come
// from the configuration, so a token can name no other place.
func targetOfClaims(svc config.Service, c waketoken.Claims) (target, bool) {
	task := ecsservice.Task{ID: c.Task}
	if svc.Address != config.AddressURL {
		if net.ParseIP(c.Host) == nil {
			return target{}, false
		}
		task.PublicIP, task.PrivateIP = c.Host, c.Host
	}
	pt, u, ok := targetOf(svc, task)
	if !ok {
		return target{}, false
	}
	return target{task: c.Task, stage: c.Stage, probe: pt, base: u}, true
}
