package config

import (
	"errors"
	"log/slog"
	"math"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// globalVars are read whichever way the services are given.
var globalVars = []string{
	"LISTEN_ADDR", "WAIT_PAGE_THEME", "WAIT_PAGE_TEMPLATE", "BOT_USER_AGENTS", "HEAD_WAKES", "WAIT_MS",
	"PROBE_TIMEOUT_MS", "OBSERVE_TTL_MS", "OBSERVE_PER_SECOND", "TOKEN_KEY", "PROBE_ALLOWED_NETWORKS",
	"LOG_LEVEL", "DRY_RUN", "EVALUATE_EVERY", "METRICS_NAMESPACE", "METRICS",
}

// singleVars are the reference design's single-service variables.
var singleVars = []string{
	"SERVICE_NAME", "CLUSTER_NAME", "APP_SCHEME", "HEALTH_PATH", "ADDRESS_MODE", "APP_URL", "APP_PORT",
	"WAKE_COUNT", "WAKE_TIMEOUT_SECONDS", "SLEEP_AFTER_MINUTES", "GRACE_MINUTES", "IDLE_SIGNAL", "TARGET_GROUP",
	"LOAD_BALANCER", "COUNT_CONNECTIONS", "TIMEZONE", "SLEEP_AT", "IDLE_THRESHOLD", "KEEP_WARM", "METRIC_NAMESPACE", "METRIC_NAME",
	"METRIC_STATISTIC", "METRIC_MISSING_DATA", "METRIC_DIMENSIONS",
}

// The fields an error may name: a variable, or an entry of the SERVICES list,
// one of its fields, or a value inside one (an element of keepWarm, a
// dimension of the metric).
var (
	singleField = regexp.MustCompile(`^(SERVICE_NAME|CLUSTER_NAME|APP_PORT|APP_SCHEME|HEALTH_PATH|PATH_PREFIX|HOST|APP_URL|ADDRESS_MODE|WAKE_COUNT|WAKE_TIMEOUT_SECONDS|SLEEP_AFTER_MINUTES|GRACE_MINUTES|IDLE_THRESHOLD|TARGET_GROUP|LOAD_BALANCER|COUNT_CONNECTIONS|METRIC_NAME|METRIC_STATISTIC|METRIC_MISSING_DATA|METRIC_DIMENSIONS|IDLE_SIGNAL|TIMEZONE|SLEEP_AT|KEEP_WARM\[\d+\])$`)
	listField   = regexp.MustCompile(`^SERVICES(\[\d+\](\.(name|cluster|host|pathPrefix|port|scheme|healthPath|address|url|wakeCount|wakeTimeoutSeconds|sleepAfterMinutes|graceMinutes|idleThreshold|idleSignal|targetGroup|loadBalancer|countConnections|metric|metric\.(namespace|name|statistic|missingData|dimensions(\.[\s\S]*)?)|timezone|sleepAt|keepWarm(\[\d+\])?))?)?$`)
)

// FuzzFromEnv: whatever the environment holds — a SERVICES list, the
// single-service variables, the global settings — FromEnv does not panic,
// and either refuses it with a *FieldError naming a setting of the way the
// services were given, or returns a configuration every part of the
// functions can rely on: names and clusters, ports, schemes, address modes,
// URLs, windows and thresholds in range, unique services and routes.
func FuzzFromEnv(f *testing.F) {
	// The configurations of the package's tests, valid and not.
	list := `[
	  {"name": "shop", "cluster": "prod", "host": "Shop.Example.com", "port": 8080, "healthPath": "/healthz", "wakeCount": 2},
	  {"name": "docs", "pathPrefix": "/docs/", "address": "url", "url": "https://alb.example.com/", "idleSignal": "requests",
	   "targetGroup": "targetgroup/docs/0123456789abcdef", "keepWarm": ["mon-fri 08:00-18:00"], "timezone": "Europe/Berlin", "sleepAt": "22:30"}
	]`
	svc := func(extra string) string {
		return `[{"name":"a","cluster":"c","host":"a.example"},{"name":"b","cluster":"c","host":"b.example"` + extra + `}]`
	}
	f.Add("", "prod", "web", "3000", "5000", "20", "", "", "")
	f.Add(list, "shared", "", "", "", "", "", "", "")
	f.Add(svc(`,"idleSignal":"custom","idleThreshold":1,"metric":{"namespace":"A","name":"B","statistic":"Average","missingData":"idle","dimensions":{"ServiceName":"b"}}`), "", "", "", "", "", "", "", "")
	f.Add(svc(`,"idleSignal":"uptime","graceMinutes":0,"sleepAfterMinutes":10080,"wakeTimeoutSeconds":86400,"wakeCount":1000`), "", "", "", "", "", "", "", "")
	f.Add(svc(`,"address":"private","scheme":"HTTPS","port":65535`), "", "", "", "", "", "", "", "")
	f.Add(svc(`,"prot":80`), "", "", "", "", "", "", "", "")
	f.Add(`[{"name":"a","cluster":"c"},{"name":"b","cluster":"c"}]`, "", "", "", "", "", "", "", "")
	f.Add("", "c", "web", "", "", "", "cpu", "mon-fri 08:00-18:00; sat,sun 10:00-12:00; daily 22:00-02:00", "TIMEZONE=Europe/Berlin\nSLEEP_AT=22:30\nIDLE_THRESHOLD=2.5")
	f.Add("", "c", "web", "", "", "", "custom", "", "METRIC_NAMESPACE=App\nMETRIC_NAME=Requests\nMETRIC_DIMENSIONS=Service=web,Env=prod\nIDLE_THRESHOLD=0")
	f.Add("", "c", "web", "", "", "", "requests", "", "TARGET_GROUP=targetgroup/web/0123\nLOAD_BALANCER=app/lb/1")
	f.Add("", "c", "web", "80", "0", "1", "", "", "ADDRESS_MODE=url\nAPP_URL=https://alb.example.com/\nHEAD_WAKES=false\nBOT_USER_AGENTS=-")
	f.Add("", "c", "web", "", "", "", "", "", "TOKEN_KEY=0123456789abcdef\nPROBE_ALLOWED_NETWORKS=127.0.0.0/8, 10.0.0.0/8\nOBSERVE_PER_SECOND=0.5\nOBSERVE_TTL_MS=100\nPROBE_TIMEOUT_MS=10000")
	f.Add("", "c", "web", "eighty", "-1", "0", "vibes", "funday 10:00-11:00", "SLEEP_AT=25:00")
	f.Add("", "c", "web", "", "", "", "", "", "LOG_LEVEL=Warn\nDRY_RUN=true\nEVALUATE_EVERY=30s")
	f.Add("", "c", "web", "", "", "", "", "", "LOG_LEVEL=verbose\nDRY_RUN=maybe\nEVALUATE_EVERY=500ms")
	f.Add(svc(`,"port":"8080","keepWarm":["daily 08:00-09:00",3],"metric":{"namespce":"A","dimensions":{"a.b":1}}`), "", "", "", "", "", "", "", "")
	f.Add("", "", "", "", "", "", "", "", "")

	f.Fuzz(func(t *testing.T, services, clusterName, serviceName, appPort, waitMs, sleepAfter, idleSignal, keepWarm, extra string) {
		env := map[string]string{
			"SERVICES": services, "CLUSTER_NAME": clusterName, "SERVICE_NAME": serviceName, "APP_PORT": appPort,
			"WAIT_MS": waitMs, "SLEEP_AFTER_MINUTES": sleepAfter, "IDLE_SIGNAL": idleSignal, "KEEP_WARM": keepWarm,
		}
		for _, l := range strings.Split(extra, "\n") {
			k, v, _ := strings.Cut(l, "=")
			if slices.Contains(globalVars, k) || slices.Contains(singleVars, k) {
				env[k] = v
			}
		}
		// SERVICES_FILE is never set: a fuzzed path could name any file of the machine.
		cfg, err := FromEnv(func(k string) string { return env[k] })
		listMode := services != ""

		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T) is not a *FieldError", err, err)
			}
			if fe.Reason == "" {
				t.Fatalf("field %q without a reason", fe.Field)
			}
			named := slices.Contains(globalVars, fe.Field)
			if listMode {
				named = named || listField.MatchString(fe.Field)
			} else {
				named = named || singleField.MatchString(fe.Field)
			}
			if !named {
				t.Fatalf("error names %q, not a setting of this configuration (SERVICES set: %v): %v", fe.Field, listMode, err)
			}
			return
		}

		// The global settings.
		if cfg.ListenAddr == "" {
			t.Fatal("no listen address")
		}
		if cfg.RequestHold < 0 || cfg.RequestHold > maxRequestHold {
			t.Fatalf("request hold %s", cfg.RequestHold)
		}
		if cfg.ProbeTimeout < 50*time.Millisecond || cfg.ProbeTimeout > 10*time.Second {
			t.Fatalf("probe timeout %s", cfg.ProbeTimeout)
		}
		if cfg.ObserveTTL < 100*time.Millisecond || cfg.ObserveTTL > time.Minute {
			t.Fatalf("observe TTL %s", cfg.ObserveTTL)
		}
		if !(cfg.ObservePerSecond >= 0.05 && cfg.ObservePerSecond <= 100) {
			t.Fatalf("observations per second %v", cfg.ObservePerSecond)
		}
		if cfg.TokenKey != nil && len(cfg.TokenKey) < MinTokenKey {
			t.Fatalf("a token key of %d bytes", len(cfg.TokenKey))
		}
		for _, p := range cfg.ProbeAllowed {
			if !p.IsValid() {
				t.Fatalf("allowed network %v", p)
			}
		}
		if cfg.EvaluateEvery != 0 && cfg.EvaluateEvery < time.Second {
			t.Fatalf("evaluating every %s", cfg.EvaluateEvery)
		}
		if !slices.Contains([]slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError}, cfg.LogLevel) {
			t.Fatalf("log level %v", cfg.LogLevel)
		}
		if (cfg.Bots == nil) != (env["BOT_USER_AGENTS"] == "-") {
			t.Fatalf("bots %v for BOT_USER_AGENTS %q", cfg.Bots, env["BOT_USER_AGENTS"])
		}

		if len(cfg.Services) == 0 || (!listMode && len(cfg.Services) != 1) {
			t.Fatalf("%d services (SERVICES set: %v)", len(cfg.Services), listMode)
		}
		ids, routes := map[string]bool{}, map[string]bool{}
		for i, s := range cfg.Services {
			checkService(t, i, s)
			if ids[s.ID()] || routes[s.Host+s.PathPrefix] {
				t.Fatalf("service %d (%s, route %q) is listed twice", i, s.ID(), s.Host+s.PathPrefix)
			}
			ids[s.ID()], routes[s.Host+s.PathPrefix] = true, true
		}

		// The single-service variables say what they said.
		if listMode {
			return
		}
		s := cfg.Services[0]
		if s.Name != strings.TrimSpace(serviceName) || s.Cluster != strings.TrimSpace(clusterName) {
			t.Fatalf("service %s/%s from CLUSTER_NAME %q SERVICE_NAME %q", s.Cluster, s.Name, clusterName, serviceName)
		}
		wantPort := DefaultPort
		if p := strings.TrimSpace(appPort); p != "" {
			wantPort, _ = strconv.Atoi(p)
		}
		if s.Port != wantPort {
			t.Fatalf("port %d from APP_PORT %q", s.Port, appPort)
		}
		wantHold := time.Duration(0)
		if w := strings.TrimSpace(waitMs); w != "" {
			n, _ := strconv.Atoi(w)
			wantHold = min(time.Duration(n)*time.Millisecond, maxRequestHold)
		}
		if cfg.RequestHold != wantHold {
			t.Fatalf("request hold %s from WAIT_MS %q", cfg.RequestHold, waitMs)
		}
		wantWindow := DefaultSleepAfter
		if m := strings.TrimSpace(sleepAfter); m != "" {
			n, _ := strconv.Atoi(m)
			wantWindow = time.Duration(n) * time.Minute
		}
		if s.Sleep.Window != wantWindow {
			t.Fatalf("sleep window %s from SLEEP_AFTER_MINUTES %q", s.Sleep.Window, sleepAfter)
		}
		wantSignal := strings.ToLower(strings.TrimSpace(idleSignal))
		if wantSignal == "" {
			wantSignal = SignalNetwork
		}
		if s.Sleep.Signal != wantSignal {
			t.Fatalf("signal %q from IDLE_SIGNAL %q", s.Sleep.Signal, idleSignal)
		}
		wantWindows := 0
		if strings.TrimSpace(keepWarm) != "" {
			wantWindows = strings.Count(keepWarm, ";") + 1
		}
		if len(s.Sleep.KeepWarm) != wantWindows {
			t.Fatalf("%d keep-warm windows from KEEP_WARM %q", len(s.Sleep.KeepWarm), keepWarm)
		}
	})
}

// checkService fails unless s is a service the functions can work with.
func checkService(t *testing.T, i int, s Service) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("service %d %+v: "+format, append([]any{i, s}, args...)...)
	}
	if s.Name == "" || s.Name != strings.TrimSpace(s.Name) || s.Cluster == "" || s.Cluster != strings.TrimSpace(s.Cluster) {
		fail("name %q cluster %q", s.Name, s.Cluster)
	}
	if s.Port < 1 || s.Port > 65535 {
		fail("port %d", s.Port)
	}
	if s.Scheme != "http" && s.Scheme != "https" {
		fail("scheme %q", s.Scheme)
	}
	if s.HealthPath != "" && (!strings.HasPrefix(s.HealthPath, "/") || strings.HasPrefix(s.HealthPath, "//")) {
		fail("health path %q", s.HealthPath)
	}
	if s.PathPrefix != "" && (!strings.HasPrefix(s.PathPrefix, "/") || strings.HasSuffix(s.PathPrefix, "/")) {
		fail("path prefix %q", s.PathPrefix)
	}
	if s.PathPrefix == "/_wake" || strings.HasPrefix(s.PathPrefix, "/_wake/") {
		fail("path prefix %q on the controller's routes", s.PathPrefix)
	}
	if s.Host != strings.ToLower(s.Host) || strings.ContainsAny(s.Host, "/ ") {
		fail("host %q", s.Host)
	}
	// The router matches a visitor's Host without its port and final dot: a
	// configured host with either would match no request at all.
	if _, _, err := net.SplitHostPort(s.Host); err == nil || strings.HasSuffix(s.Host, ".") {
		fail("host %q can never match a request", s.Host)
	}
	switch s.Address {
	case AddressPublic, AddressPrivate:
		if s.URL != "" {
			fail("a URL with address mode %q", s.Address)
		}
	case AddressURL:
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(s.URL, "/") {
			fail("URL %q (%v)", s.URL, err)
		}
	default:
		fail("address mode %q", s.Address)
	}
	if s.WakeCount < 1 || s.WakeCount > maxWakeCount {
		fail("wake count %d", s.WakeCount)
	}
	if s.WakeTimeout < 10*time.Second || s.WakeTimeout > maxWakeTimeoutSeconds*time.Second {
		fail("wake timeout %s", s.WakeTimeout)
	}

	p := s.Sleep
	if p.Window < time.Minute || p.Window > 7*24*time.Hour {
		fail("sleep window %s", p.Window)
	}
	if p.Grace < 0 || p.Grace > 24*time.Hour {
		fail("grace %s", p.Grace)
	}
	if math.IsNaN(p.Threshold) || math.IsInf(p.Threshold, 0) || p.Threshold < 0 {
		fail("threshold %v", p.Threshold)
	}
	switch p.Signal {
	case SignalNetwork, SignalCPU, SignalUptime:
	case SignalRequests:
		if !strings.HasPrefix(p.TargetGroup, "targetgroup/") || !strings.HasPrefix(p.LoadBalancer, "app/") {
			fail("requests signal on target group %q, load balancer %q", p.TargetGroup, p.LoadBalancer)
		}
	case SignalCustom:
		m := p.Metric
		if m.Namespace == "" || m.Name == "" || len(m.Dimensions) > 30 ||
			!slices.Contains([]string{"Sum", "Average", "Maximum", "Minimum", "SampleCount"}, m.Statistic) {
			fail("custom metric %+v", m)
		}
	default:
		fail("idle signal %q", p.Signal)
	}
	if p.Location == nil {
		fail("no time zone")
	}
	if p.SleepAt < -1 || p.SleepAt >= 24*60 {
		fail("daily sleep at minute %d", p.SleepAt)
	}
	for j, w := range p.KeepWarm {
		if msg := windowProblem(w); msg != "" {
			fail("keep-warm window %d %+v: %s", j, w, msg)
		}
	}
}
