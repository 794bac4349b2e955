package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDependenciesAreReadFromTheListAndTheSingleServiceVariables(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []Dependency
	}{
		{"list", map[string]string{"SERVICES": `[{"name":"a","cluster":"c","dependsOn":[{"rdsInstance":"Shop-DB"},{"auroraCluster":"orders"}]}]`},
			[]Dependency{{DependencyRDSInstance, "shop-db"}, {DependencyAuroraCluster, "orders"}}},
		{"single-service variable", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "DEPENDS_ON": " rdsInstance:shop-db , auroraCluster:orders"},
			[]Dependency{{DependencyRDSInstance, "shop-db"}, {DependencyAuroraCluster, "orders"}}},
		{"none", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c"}, nil},
		{"the same identifier as an instance and a cluster", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "DEPENDS_ON": "rdsInstance:db,auroraCluster:db"},
			[]Dependency{{DependencyRDSInstance, "db"}, {DependencyAuroraCluster, "db"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := FromEnv(env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Services[0].DependsOn; !slices.Equal(got, tt.want) {
				t.Fatalf("dependsOn %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestInvalidDependencyNamesTheField(t *testing.T) {
	list := func(deps string) map[string]string {
		return map[string]string{"SERVICES": `[{"name":"a","cluster":"c","host":"a"},{"name":"b","cluster":"c","host":"b","dependsOn":` + deps + `}]`}
	}
	single := func(v string) map[string]string {
		return map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "DEPENDS_ON": v}
	}
	tests := []struct {
		name  string
		env   map[string]string
		field string
		says  string
	}{
		{"an entry with neither key", list(`[{}]`), "SERVICES[1].dependsOn[0]", `want {"rdsInstance": "ID"} or {"auroraCluster": "ID"}`},
		{"an entry with both keys", list(`[{"rdsInstance":"a","auroraCluster":"b"}]`), "SERVICES[1].dependsOn[0]", "not both"},
		{"a misspelt key", list(`[{"rdsInstanse":"a"}]`), "SERVICES[1].dependsOn[0]", `did you mean "rdsInstance"?`},
		{"an identifier starting with a digit", list(`[{"rdsInstance":"1db"}]`), "SERVICES[1].dependsOn[0]", "not a DB identifier"},
		{"an identifier ending with a hyphen", list(`[{"rdsInstance":"db-"}]`), "SERVICES[1].dependsOn[0]", "not a DB identifier"},
		{"an identifier with two hyphens in a row", list(`[{"auroraCluster":"a--b"}]`), "SERVICES[1].dependsOn[0]", "not a DB identifier"},
		{"an identifier of 64 characters", list(`[{"rdsInstance":"a` + strings.Repeat("b", 63) + `"}]`), "SERVICES[1].dependsOn[0]", "not a DB identifier"},
		{"an identifier with an underscore", list(`[{"rdsInstance":"shop_db"}]`), "SERVICES[1].dependsOn[0]", "not a DB identifier"},
		{"an ARN instead of an identifier", list(`[{"rdsInstance":"arn:aws:rds:us-east-1:123456789012:db:shop"}]`), "SERVICES[1].dependsOn[0]", "not a DB identifier"},
		{"the same database twice", list(`[{"rdsInstance":"db"},{"rdsInstance":"DB"}]`), "SERVICES[1].dependsOn[1]", "already listed at index 0"},
		{"not a list", list(`{"rdsInstance":"db"}`), "SERVICES[1].dependsOn", "want a list"},
		{"a variable entry without a kind", single("shop-db"), "DEPENDS_ON[0]", "want rdsInstance:ID or auroraCluster:ID"},
		{"a variable entry of an unknown kind", single("rdsInstance:a,dynamo:b"), "DEPENDS_ON[1]", "want rdsInstance:ID"},
		{"a variable entry with a bad identifier", single("auroraCluster:-x"), "DEPENDS_ON[0]", "not a DB identifier"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromEnv(env(tt.env))
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want a FieldError", err)
			}
			if fe.Field != tt.field || !strings.Contains(fe.Error(), tt.says) {
				t.Fatalf("error %q (field %q), want field %q saying %q", fe.Error(), fe.Field, tt.field, tt.says)
			}
		})
	}
}

func TestAServiceWithADatabaseWaitsLongerByDefault(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want time.Duration
	}{
		{"with a database", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "DEPENDS_ON": "rdsInstance:db"}, DefaultWakeTimeoutWithDatabase},
		{"with a database and its own budget", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "DEPENDS_ON": "rdsInstance:db", "WAKE_TIMEOUT_SECONDS": "900"}, 15 * time.Minute},
		{"without", map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c"}, DefaultWakeTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := FromEnv(env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Services[0].WakeTimeout; got != tt.want {
				t.Fatalf("wake timeout %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDatabasesAreListedOnceInTheOrderFirstNamed(t *testing.T) {
	cfg, err := FromEnv(env(map[string]string{"SERVICES": `[
	  {"name":"shop","cluster":"c","host":"shop","dependsOn":[{"rdsInstance":"main"}]},
	  {"name":"admin","cluster":"c","host":"admin","dependsOn":[{"rdsInstance":"main"},{"auroraCluster":"audit"}]},
	  {"name":"docs","cluster":"c","host":"docs"}]`}))
	if err != nil {
		t.Fatal(err)
	}
	dbs := cfg.Services.Databases()
	if want := []Dependency{{DependencyRDSInstance, "main"}, {DependencyAuroraCluster, "audit"}}; !slices.Equal(dbs, want) {
		t.Fatalf("databases %+v, want %+v", dbs, want)
	}
}
