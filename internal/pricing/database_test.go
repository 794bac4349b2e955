package pricing

import (
	"errors"
	"strings"
	"testing"
)

func TestTheTableHasRDSInstanceHoursAsPublished(t *testing.T) {
	tests := []struct {
		name, engine, class string
		multiAZ             bool
		want                float64
	}{
		{"postgres micro", "postgres", "db.t4g.micro", false, 0.016},
		{"postgres small", "postgres", "db.t4g.small", false, 0.032},
		{"mysql medium", "mysql", "db.t4g.medium", false, 0.065},
		// Multi-AZ bills the standby's hours too: 2 × 0.016.
		{"postgres micro, Multi-AZ", "postgres", "db.t4g.micro", true, 0.032},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Default().DatabaseHour("us-east-1", tt.engine, tt.class, tt.multiAZ)
			if err != nil || got != tt.want {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestADatabaseTheTableCannotPriceIsUnknownNotGuessed(t *testing.T) {
	tests := []struct {
		name, region, engine, class, says string
	}{
		{"a Region not in the table", "eu-south-1", "postgres", "db.t4g.micro", "eu-south-1"},
		{"a class not in the table", "us-east-1", "postgres", "db.r7g.large", "db.r7g.large"},
		{"an engine not in the table", "us-east-1", "sqlserver-ex", "db.t4g.micro", "sqlserver-ex"},
		{"a class not read", "us-east-1", "postgres", "", "not read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Default().DatabaseHour(tt.region, tt.engine, tt.class, false)
			if !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("got %v, want price unknown naming %q", err, tt.says)
			}
		})
	}
}

func TestTheOperatorsDatabasePricesReplaceOnlyWhatTheyGive(t *testing.T) {
	o, err := ParseOverride(`{"databases": {"eu-south-1": {"postgres": {"db.t4g.micro": 0.019}},
		"us-east-1": {"postgres": {"db.t4g.micro": 0.015, "db.t3.micro": 0.018}}}}`)
	if err != nil {
		t.Fatal(err)
	}
	base := Default()
	tb := base.With(o)
	tests := []struct {
		name, region, engine, class string
		want                        float64
	}{
		{"a Region the table lacks", "eu-south-1", "postgres", "db.t4g.micro", 0.019},
		{"a figure replaced", "us-east-1", "postgres", "db.t4g.micro", 0.015},
		{"a class added", "us-east-1", "postgres", "db.t3.micro", 0.018},
		{"a figure kept beside them", "us-east-1", "postgres", "db.t4g.small", 0.032},
		{"another engine kept", "us-east-1", "mysql", "db.t4g.micro", 0.016},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tb.DatabaseHour(tt.region, tt.engine, tt.class, false)
			if err != nil || got != tt.want {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	if !tb.Overridden {
		t.Error("database prices given, yet the table does not say it was overridden")
	}
	if p, _ := base.DatabaseHour("us-east-1", "postgres", "db.t4g.micro", false); p != 0.016 {
		t.Errorf("the override changed the default table: %v", p)
	}
	if r, err := tb.Rate("us-east-1", Fargate, X86_64); err != nil || r.VCPUHour != 0.04048 {
		t.Errorf("database prices changed Fargate's: %+v, %v", r, err)
	}
}

func TestDatabasePricesThatCannotBeRightAreRefusedNamingWhere(t *testing.T) {
	tests := []struct{ name, in, says string }{
		{"a bad Region name", `{"databases": {"Frankfurt": {"postgres": {"db.t4g.micro": 0.02}}}}`, "Frankfurt"},
		{"an engine RDS does not name", `{"databases": {"us-east-1": {"postgresql": {"db.t4g.micro": 0.02}}}}`, `"postgresql" is not an RDS engine`},
		{"Aurora, priced by cluster", `{"databases": {"us-east-1": {"aurora-postgresql": {"db.r6g.large": 0.26}}}}`, "aurora-postgresql"},
		{"a class without db.", `{"databases": {"us-east-1": {"postgres": {"t4g.micro": 0.02}}}}`, "t4g.micro"},
		{"a price left out", `{"databases": {"us-east-1": {"postgres": {"db.t4g.micro": null}}}}`, "databases.us-east-1.postgres.db.t4g.micro"},
		{"a negative price", `{"databases": {"us-east-1": {"postgres": {"db.t4g.micro": -1}}}}`, "db.t4g.micro"},
		{"a monthly price", `{"databases": {"us-east-1": {"postgres": {"db.r7g.16xlarge": 5000}}}}`, "db.r7g.16xlarge"},
		{"an engine without classes", `{"databases": {"us-east-1": {"postgres": {}}}}`, "gives no price"},
		{"a Region without engines", `{"databases": {"us-east-1": {}}}`, "gives no price"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOverride(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("got %v, want an error saying %q", err, tt.says)
			}
		})
	}
}

func TestThePricesFormatWithoutDatabasesStillReads(t *testing.T) {
	o, err := ParseOverride(`{"regions": {"eu-south-1": {"FARGATE": {"X86_64": {"vcpuHour": 0.05, "gbHour": 0.006}}}}}`)
	if err != nil || o.Databases != nil {
		t.Fatalf("got %+v, %v", o, err)
	}
	if p, err := Default().With(o).DatabaseHour("us-east-1", "postgres", "db.t4g.micro", false); err != nil || p != 0.016 {
		t.Errorf("the table's database prices after a Fargate-only override: %v, %v", p, err)
	}
}
