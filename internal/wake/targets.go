package wake

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/probe"
)

// target is where a task's app answers: what to probe, and where to send visitors.
type target struct {
	task  string
	stage string
	probe probe.Target
	base  *url.URL
}

// candidates are the tasks whose app may answer, best first: RUNNING, then
// ACTIVATING, then PENDING (from PENDING on, a Fargate task has its address).
func candidates(obs *ecsservice.Service) []ecsservice.Task {
	var out []ecsservice.Task
	for _, status := range []string{ecsservice.StatusRunning, ecsservice.StatusActivating, ecsservice.StatusPending} {
		for _, t := range obs.Tasks {
			if t.LastStatus == status {
				out = append(out, t)
			}
		}
	}
	return out
}

// candidatesFor are the candidates with their addresses, for the service's address mode.
func candidatesFor(svc config.Service, obs *ecsservice.Service) []target {
	var out []target
	for _, t := range candidates(obs) {
		pt, u, ok := targetOf(svc, t)
		if !ok {
			continue
		}
		out = append(out, target{task: t.ID, stage: stageOf([]ecsservice.Task{t}), probe: pt, base: u})
	}
	return out
}

// targetOf is where a ready task answers, for the configured address mode.
func targetOf(svc config.Service, t ecsservice.Task) (probe.Target, *url.URL, bool) {
	host := t.PublicIP
	if svc.Address == config.AddressPrivate {
		host = t.PrivateIP
	}
	if svc.Address == config.AddressURL {
		u, err := url.Parse(svc.URL)
		if err != nil {
			return probe.Target{}, nil, false
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"https": "443"}[u.Scheme]
			if port == "" {
				port = "80"
			}
		}
		n, _ := strconv.Atoi(port)
		return probe.Target{Scheme: u.Scheme, Host: u.Hostname(), Port: n, HealthPath: svc.HealthPath}, u, true
	}
	if host == "" {
		return probe.Target{}, nil, false
	}
	pt := probe.Target{Scheme: svc.Scheme, Host: host, Port: svc.Port, HealthPath: svc.HealthPath}
	u := &url.URL{Scheme: svc.Scheme, Host: net.JoinHostPort(host, strconv.Itoa(svc.Port))}
	if (svc.Scheme == "http" && svc.Port == 80) || (svc.Scheme == "https" && svc.Port == 443) {
		// The default port is left out; an IPv6 address keeps its brackets.
		u.Host = strings.TrimSuffix(u.Host, ":"+strconv.Itoa(svc.Port))
	}
	return pt, u, true
}
