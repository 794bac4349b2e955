package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestReferenceDesignVariables(t *testing.T) {
	cfg, err := FromEnv(env(map[string]string{
		"CLUSTER_NAME": "prod", "SERVICE_NAME": "web", "APP_PORT": "3000", "WAIT_MS": "5000", "SLEEP_AFTER_MINUTES": "20",
	}))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Services[0]
	if s.Cluster != "prod" || s.Name != "web" || s.Port != 3000 || s.Sleep.Window != 20*time.Minute {
		t.Fatalf("service %+v", s)
	}
	if cfg.RequestHold != 800*time.Millisecond {
		t.Fatalf("WAIT_MS 5000 gave a hold of %s, want it capped at 800ms", cfg.RequestHold)
	}
	if s.Address != AddressPublic || s.Scheme != "http" || s.WakeCount != 1 || s.Sleep.Signal != SignalNetwork || cfg.ListenAddr != DefaultListenAddr {
		t.Fatalf("defaults %+v %+v", s, cfg)
	}
}

func TestServicesList(t *testing.T) {
	list := `[
	  {"name": "shop", "cluster": "prod", "host": "Shop.Example.com", "port": 8080, "healthPath": "/healthz", "wakeCount": 2},
	  {"name": "docs", "pathPrefix": "/docs/", "address": "url", "url": "https://alb.example.com/", "idleSignal": "requests",
	   "targetGroup": "targetgroup/docs/0123456789abcdef", "loadBalancer": "app/web/0123456789abcdef", "keepWarm": ["mon-fri 08:00-18:00"], "timezone": "Europe/Berlin", "sleepAt": "22:30"}
	]`
	dir := t.TempDir()
	file := filepath.Join(dir, "services.json")
	if err := os.WriteFile(file, []byte(list), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]map[string]string{
		"SERVICES":      {"SERVICES": list, "CLUSTER_NAME": "shared"},
		"SERVICES_FILE": {"SERVICES_FILE": file, "CLUSTER_NAME": "shared"},
		"SERVICES_S3":   {"SERVICES_S3": "s3://config-bucket/prod/services.json", "SERVICES_S3_VERSION": "v2", "CLUSTER_NAME": "shared"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg, err := Read(env(e), func(loc ObjectLocation) ([]byte, error) {
				if loc != (ObjectLocation{Bucket: "config-bucket", Key: "prod/services.json", Version: "v2"}) {
					return nil, fmt.Errorf("no such object %s", loc)
				}
				return []byte(list), nil
			})
			if err != nil {
				t.Fatal(err)
			}
			shop, docs := cfg.Services[0], cfg.Services[1]
			if shop.Host != "shop.example.com" || shop.WakeCount != 2 || shop.HealthPath != "/healthz" || shop.Cluster != "prod" {
				t.Fatalf("shop %+v", shop)
			}
			if docs.Cluster != "shared" || docs.PathPrefix != "/docs" || docs.URL != "https://alb.example.com" || docs.Sleep.Signal != SignalRequests || docs.Sleep.LoadBalancer != "app/web/0123456789abcdef" || !docs.Sleep.CountConnections {
				t.Fatalf("docs %+v", docs)
			}
			if docs.Sleep.SleepAt != 22*60+30 || docs.Sleep.Location.String() != "Europe/Berlin" || len(docs.Sleep.KeepWarm) != 1 {
				t.Fatalf("docs sleep policy %+v", docs.Sleep)
			}
		})
	}
}

func TestInvalidConfigurationNamesTheField(t *testing.T) {
	svc := func(extra string) string {
		return `[{"name":"a","cluster":"c","host":"a.example"},{"name":"b","cluster":"c","host":"b.example"` + extra + `}]`
	}
	tests := []struct {
		name  string
		env   map[string]string
		field string
		says  string
	}{
		{"no service at all", map[string]string{}, "SERVICE_NAME", "required"},
		{"no cluster", map[string]string{"SERVICE_NAME": "web"}, "CLUSTER_NAME", "required"},
		{"port not a number", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "APP_PORT": "eighty"}, "APP_PORT", "whole number"},
		{"port out of range", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "APP_PORT": "70000"}, "APP_PORT", "between 1 and 65535"},
		{"list port out of range", map[string]string{"SERVICES": svc(`,"port":0`)}, "SERVICES[1].port", "between 1 and 65535"},
		{"bad scheme", map[string]string{"SERVICES": svc(`,"scheme":"ftp"`)}, "SERVICES[1].scheme", "http or https"},
		{"health path without slash", map[string]string{"SERVICES": svc(`,"healthPath":"healthz"`)}, "SERVICES[1].healthPath", "single /"},
		{"health path naming a host", map[string]string{"SERVICES": svc(`,"healthPath":"//evil"`)}, "SERVICES[1].healthPath", "single /"},
		{"path prefix without slash", map[string]string{"SERVICES": svc(`,"pathPrefix":"docs"`)}, "SERVICES[1].pathPrefix", "start with /"},
		{"path prefix on the controller's routes", map[string]string{"SERVICES": svc(`,"pathPrefix":"/_wake"`)}, "SERVICES[1].pathPrefix", "reserved"},
		{"a typo in a field name", map[string]string{"SERVICES": svc(`,"prot":80`)}, "SERVICES[1]", `unknown setting "prot"; did you mean "port"?`},
		{"a typo in the metric", map[string]string{"SERVICES": svc(`,"metric":{"namespce":"A"}`)}, "SERVICES[1].metric", `unknown setting "namespce"; did you mean "namespace"?`},
		{"a setting nothing is close to", map[string]string{"SERVICES": svc(`,"colour":"blue"`)}, "SERVICES[1]", `unknown setting "colour"`},
		{"a number as a string", map[string]string{"SERVICES": svc(`,"port":"8080"`)}, "SERVICES[1].port", `want a number, got "8080"`},
		{"a keep-warm window that is not a string", map[string]string{"SERVICES": svc(`,"keepWarm":["daily 08:00-09:00",9]`)}, "SERVICES[1].keepWarm[1]", "want a string, got 9"},
		{"an entry that is not an object", map[string]string{"SERVICES": `["web"]`}, "SERVICES[0]", `want an object, got "web"`},
		{"not JSON, where", map[string]string{"SERVICES": `[{"name": "a",}]`}, "SERVICES", "not JSON at character 15: invalid character '}'"},
		{"an object that is not JSON, by line", map[string]string{"SERVICES_S3": "s3://bucket/services.json", "SERVICES_S3_VERSION": "multiline"}, "SERVICES_S3", "not JSON at line 3, column 11"},
		{"a value of the object of the wrong type", map[string]string{"SERVICES_S3": "s3://bucket/services.json", "SERVICES_S3_VERSION": "string-port"}, "SERVICES_S3[1].port", `want a number, got "80"`},
		{"empty list", map[string]string{"SERVICES": `[]`}, "SERVICES", "empty"},
		{"not JSON", map[string]string{"SERVICES": `{name: web}`}, "SERVICES", "not a JSON list"},
		{"an object, not a list", map[string]string{"SERVICES": `{"name":"web"}`}, "SERVICES", "not a JSON list of services: want a list, got an object"},
		{"the same service twice", map[string]string{"SERVICES": `[{"name":"a","cluster":"c","host":"x"},{"name":"a","cluster":"c","host":"y"}]`}, "SERVICES[1].name", "already listed"},
		{"the same route twice", map[string]string{"SERVICES": `[{"name":"a","cluster":"c"},{"name":"b","cluster":"c"}]`}, "SERVICES[1].host", "same route"},
		{"url mode without a URL", map[string]string{"SERVICES": svc(`,"address":"url"`)}, "SERVICES[1].url", "absolute http(s) URL"},
		{"url mode with a relative URL", map[string]string{"SERVICES": svc(`,"address":"url","url":"/x"`)}, "SERVICES[1].url", "absolute http(s) URL"},
		{"a URL with public mode", map[string]string{"SERVICES": svc(`,"address":"public","url":"https://x.example"`)}, "SERVICES[1].url", "only used"},
		{"unknown address mode", map[string]string{"SERVICES": svc(`,"address":"elastic"`)}, "SERVICES[1].address", "public, private or url"},
		{"wake count 0", map[string]string{"SERVICES": svc(`,"wakeCount":0`)}, "SERVICES[1].wakeCount", "between 1"},
		{"wake timeout too short", map[string]string{"SERVICES": svc(`,"wakeTimeoutSeconds":1`)}, "SERVICES[1].wakeTimeoutSeconds", "between 10"},
		{"both list and file", map[string]string{"SERVICES": svc(""), "SERVICES_FILE": "/x"}, "SERVICES", "set one of SERVICES, SERVICES_FILE and SERVICES_S3, not 2"},
		{"both list and object", map[string]string{"SERVICES": svc(""), "SERVICES_S3": "s3://bucket/services.json"}, "SERVICES", "not 2"},
		{"a bucket name over 63 characters", map[string]string{"SERVICES_S3": "s3://" + strings.Repeat("b", 64) + "/services.json"}, "SERVICES_S3", "not an S3 object"},
		{"a bucket name under 3 characters", map[string]string{"SERVICES_S3": "s3://bb/services.json"}, "SERVICES_S3", "not an S3 object"},
		{"an object that is not an S3 URI", map[string]string{"SERVICES_S3": "https://bucket.s3.amazonaws.com/services.json"}, "SERVICES_S3", "such as s3://my-bucket/services.json"},
		{"an object without a key", map[string]string{"SERVICES_S3": "s3://bucket/"}, "SERVICES_S3", "not an S3 object"},
		{"an object in a bucket S3 cannot name", map[string]string{"SERVICES_S3": "s3://My_Bucket/services.json"}, "SERVICES_S3", "not an S3 object"},
		{"an object that cannot be read", map[string]string{"SERVICES_S3": "s3://missing/services.json"}, "SERVICES_S3", "cannot read s3://missing/services.json: NoSuchKey"},
		{"an object that is not a list", map[string]string{"SERVICES_S3": "s3://bucket/services.json", "SERVICES_S3_VERSION": "broken"}, "SERVICES_S3", "not a JSON list"},
		{"an entry of the object at fault", map[string]string{"SERVICES_S3": "s3://bucket/services.json", "SERVICES_S3_VERSION": "bad-port"}, "SERVICES_S3[1].port", "between 1 and 65535"},
		{"a version without an object", map[string]string{"SERVICES": svc(""), "SERVICES_S3_VERSION": "v1"}, "SERVICES_S3_VERSION", "only used with SERVICES_S3"},
		{"unreadable file", map[string]string{"SERVICES_FILE": "/nonexistent/services.json"}, "SERVICES_FILE", "cannot read"},
		{"bad CIDR", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "PROBE_ALLOWED_NETWORKS": "127.0.0.0/8,loopback"}, "PROBE_ALLOWED_NETWORKS", "CIDR"},
		{"WAIT_MS negative", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "WAIT_MS": "-1"}, "WAIT_MS", "between"},
		{"unknown idle signal", map[string]string{"SERVICES": svc(`,"idleSignal":"vibes"`)}, "SERVICES[1].idleSignal", "network, requests"},
		{"requests without a target group", map[string]string{"SERVICES": svc(`,"idleSignal":"requests"`)}, "SERVICES[1].targetGroup", "required"},
		{"requests with a target group alone", map[string]string{"SERVICES": svc(`,"idleSignal":"requests","targetGroup":"targetgroup/docs/0123456789abcdef"`)}, "SERVICES[1].loadBalancer", "never by target group alone"},
		{"requests with a bad connections flag", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "IDLE_SIGNAL": "requests", "TARGET_GROUP": "targetgroup/a/1", "LOAD_BALANCER": "app/a/1", "COUNT_CONNECTIONS": "sometimes"}, "COUNT_CONNECTIONS", "true or false"},
		{"custom without a metric", map[string]string{"SERVICES": svc(`,"idleSignal":"custom","idleThreshold":1`)}, "SERVICES[1].metric", "namespace and name"},
		{"custom without a threshold", map[string]string{"SERVICES": svc(`,"idleSignal":"custom","metric":{"namespace":"A","name":"B"}`)}, "SERVICES[1].idleThreshold", "required"},
		{"bad statistic", map[string]string{"SERVICES": svc(`,"idleSignal":"custom","idleThreshold":1,"metric":{"namespace":"A","name":"B","statistic":"p99"}`)}, "SERVICES[1].metric.statistic", "Sum, Average"},
		{"sleep after 0", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "SLEEP_AFTER_MINUTES": "0"}, "SLEEP_AFTER_MINUTES", "between 1"},
		{"unknown time zone", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "TIMEZONE": "Mars/Olympus"}, "TIMEZONE", "unknown time zone"},
		{"bad keep-warm day", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "KEEP_WARM": "mon-fri 08:00-18:00; funday 10:00-11:00"}, "KEEP_WARM[1]", "unknown day"},
		{"keep-warm window starting at 24:00", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "KEEP_WARM": "mon 24:00-00:00"}, "KEEP_WARM[0]", "only ends a window"},
		{"daily sleep at 24:00", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "SLEEP_AT": "24:00"}, "SLEEP_AT", "never reached"},
		{"bad keep-warm hours", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "KEEP_WARM": "mon 8-18"}, "KEEP_WARM[0]", "time of day"},
		{"bad sleep time", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "SLEEP_AT": "25:00"}, "SLEEP_AT", "time of day"},
		{"bad metric dimensions", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "IDLE_SIGNAL": "custom", "METRIC_NAMESPACE": "A", "METRIC_NAME": "B", "METRIC_DIMENSIONS": "novalue"}, "METRIC_DIMENSIONS", "NAME=VALUE"},
		{"an unknown log level", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "LOG_LEVEL": "verbose"}, "LOG_LEVEL", `must be debug, info, warn or error, got "verbose"`},
		{"a dry run that is neither true nor false", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "DRY_RUN": "maybe"}, "DRY_RUN", "true or false"},
		{"an evaluation interval under a second", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "EVALUATE_EVERY": "500ms"}, "EVALUATE_EVERY", "at least 1s"},
		{"an evaluation interval that is no duration", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "EVALUATE_EVERY": "30"}, "EVALUATE_EVERY", "such as 30s"},
		{"a metrics namespace with a character CloudWatch refuses", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "METRICS_NAMESPACE": "Scale|Zero"}, "METRICS_NAMESPACE", "not a CloudWatch namespace"},
		{"a metrics namespace of AWS's own", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "METRICS_NAMESPACE": "AWS/ECS"}, "METRICS_NAMESPACE", "AWS's own"},
		{"a metrics namespace starting with a colon", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "METRICS_NAMESPACE": ":x"}, "METRICS_NAMESPACE", "colon"},
		{"a metrics namespace of spaces", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "METRICS_NAMESPACE": "   "}, "METRICS_NAMESPACE", "other than a space"},
		{"a metrics namespace over 255 characters", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "METRICS_NAMESPACE": strings.Repeat("n", 256)}, "METRICS_NAMESPACE", "1 to 255"},
		{"metrics neither on nor off", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "METRICS": "false"}, "METRICS", "on or off"},
	}
	objects := func(loc ObjectLocation) ([]byte, error) {
		switch {
		case loc.Bucket == "missing":
			return nil, errors.New("NoSuchKey: The specified key does not exist.")
		case loc.Version == "broken":
			return []byte(`{"name":"a"}`), nil
		case loc.Version == "bad-port":
			return []byte(svc(`,"port":0`)), nil
		case loc.Version == "multiline":
			return []byte("[\n  {\"name\": \"a\", \"cluster\": \"c\"},\n  {\"name\" \"b\"}\n]"), nil
		case loc.Version == "string-port":
			return []byte(svc(`,"port":"80"`)), nil
		}
		return []byte(svc("")), nil
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(env(tc.env), objects)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want a *FieldError", err)
			}
			if fe.Field != tc.field || !strings.Contains(fe.Reason, tc.says) {
				t.Fatalf("field %q reason %q, want field %q saying %q", fe.Field, fe.Reason, tc.field, tc.says)
			}
		})
	}
}

func TestKeepWarmWindows(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	tests := []struct {
		spec string
		at   time.Time
		in   bool
	}{
		{"mon-fri 08:00-18:00", time.Date(2026, 11, 24, 9, 0, 0, 0, berlin), true},   // Tuesday
		{"mon-fri 08:00-18:00", time.Date(2026, 11, 24, 18, 0, 0, 0, berlin), false}, // the end is open
		{"mon-fri 08:00-18:00", time.Date(2026, 11, 28, 9, 0, 0, 0, berlin), false},  // Saturday
		{"fri-mon 10:00-12:00", time.Date(2026, 11, 29, 11, 0, 0, 0, berlin), true},  // Sunday, a range over the week's end
		{"daily 22:00-02:00", time.Date(2026, 11, 24, 23, 0, 0, 0, berlin), true},
		{"daily 22:00-02:00", time.Date(2026, 11, 25, 1, 0, 0, 0, berlin), true},
		{"sat 22:00-02:00", time.Date(2026, 11, 29, 1, 0, 0, 0, berlin), true}, // Sunday morning belongs to Saturday night
		{"sat 22:00-02:00", time.Date(2026, 11, 28, 1, 0, 0, 0, berlin), false},
		{"sat,sun 00:00-24:00", time.Date(2026, 11, 29, 23, 59, 0, 0, berlin), true},
	}
	for _, tc := range tests {
		w, err := parseWindow(tc.spec)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		if got := w.Contains(tc.at); got != tc.in {
			t.Errorf("%s at %s: %v, want %v", tc.spec, tc.at.Format("Mon 15:04"), got, tc.in)
		}
	}
}

func TestAnObjectListIsRefusedWhereNoS3ClientIs(t *testing.T) {
	_, err := FromEnv(env(map[string]string{"SERVICES_S3": "s3://bucket/services.json"}))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "SERVICES_S3" || !strings.Contains(fe.Reason, "no S3 client") {
		t.Fatalf("error %v, want SERVICES_S3 refused", err)
	}
}

func TestFunctionWideSettings(t *testing.T) {
	one := map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c"}
	with := func(extra map[string]string) map[string]string {
		m := maps.Clone(one)
		maps.Copy(m, extra)
		return m
	}
	tests := []struct {
		name  string
		env   map[string]string
		check func(Config) bool
	}{
		{"defaults", one, func(c Config) bool {
			return c.LogLevel == slog.LevelInfo && !c.DryRun && c.EvaluateEvery == 0 && !c.InLambda && !c.Emulator
		}},
		{"a log level in any case", with(map[string]string{"LOG_LEVEL": " WARN "}), func(c Config) bool { return c.LogLevel == slog.LevelWarn }},
		{"debug", with(map[string]string{"LOG_LEVEL": "debug"}), func(c Config) bool { return c.LogLevel == slog.LevelDebug }},
		{"a dry run", with(map[string]string{"DRY_RUN": "true"}), func(c Config) bool { return c.DryRun }},
		{"an evaluation interval", with(map[string]string{"EVALUATE_EVERY": "30s"}), func(c Config) bool { return c.EvaluateEvery == 30*time.Second }},
		{"metrics in the default namespace", one, func(c Config) bool { return c.MetricsNamespace == "ScaleToZero" }},
		{"metrics in a namespace of one's own", with(map[string]string{"METRICS_NAMESPACE": "Shop/Scale-to-zero #2"}), func(c Config) bool { return c.MetricsNamespace == "Shop/Scale-to-zero #2" }},
		{"metrics off", with(map[string]string{"METRICS": "OFF"}), func(c Config) bool { return c.MetricsNamespace == "" }},
		{"metrics off whatever the namespace", with(map[string]string{"METRICS": "off", "METRICS_NAMESPACE": "Mine"}), func(c Config) bool { return c.MetricsNamespace == "" }},
		{"metrics on", with(map[string]string{"METRICS": "on", "METRICS_NAMESPACE": "Mine"}), func(c Config) bool { return c.MetricsNamespace == "Mine" }},
		{"under the Lambda runtime", with(map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"}), func(c Config) bool { return c.InLambda }},
		{"an emulator for every service", with(map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}), func(c Config) bool { return c.Emulator }},
		{"an emulator for CloudWatch alone", with(map[string]string{"AWS_ENDPOINT_URL_CLOUDWATCH": "http://127.0.0.1:5000"}), func(c Config) bool { return c.Emulator }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := FromEnv(env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(cfg) {
				t.Fatalf("configuration %+v", cfg)
			}
		})
	}
}

func TestServicesByName(t *testing.T) {
	one := Services{{Name: "web", Cluster: "c"}}
	two := Services{{Name: "web", Cluster: "a"}, {Name: "api", Cluster: "b"}}
	tests := []struct {
		name     string
		services Services
		asked    string
		want     string
		wantErr  string
	}{
		{"an empty name picks the only service", one, "", "web", ""},
		{"by cluster/name", two, "b/api", "api", ""},
		{"by name", two, "web", "web", ""},
		{"an empty name with two services lists them", two, "", "", "service is required: one of web, api"},
		{"an unknown name lists the services", two, "nope", "", `unknown service "nope": one of web, api`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.services.ByName(tc.asked)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || s.Name != tc.want {
				t.Fatalf("found %+v (%v), want %s", s, err, tc.want)
			}
		})
	}
}

func TestACauseIsKept(t *testing.T) {
	_, err := FromEnv(env(map[string]string{"SERVICES_FILE": "/nonexistent/services.json"}))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error %v does not wrap the file's error", err)
	}
	_, err = FromEnv(env(map[string]string{"SERVICES": `[{"name":"a","cluster":"c","port":"80"}]`}))
	var typ *json.UnmarshalTypeError
	if !errors.As(err, &typ) {
		t.Fatalf("error %v does not wrap the decoder's", err)
	}
}
