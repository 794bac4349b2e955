package savings

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ledger"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/pricing"
)

// micro is a db.t4g.micro PostgreSQL instance in us-east-1, Single-AZ: $0.016 an hour.
func micro(deps ...Dependent) DatabaseFacts {
	return DatabaseFacts{Kind: "rdsInstance", ID: "app-db", Engine: "postgres", Class: "db.t4g.micro", Status: "stopped", Dependents: deps}
}

func TestADatabaseWhoseOneServiceIsAwakeTwoHoursADay(t *testing.T) {
	// Midnight: the 30 days are 29 whole ones and today's first instant.
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	r := Build(nil, pricing.Default(), "us-east-1", now, micro(Dependent{"c/web", history(now, 30, 2*time.Hour)}))
	if len(r.Databases) != 1 {
		t.Fatalf("databases %+v", r.Databases)
	}
	d := r.Databases[0]
	if d.HourlyPrice == nil || !near(float64(*d.HourlyPrice), 0.016) {
		t.Fatalf("hourly %v, want 0.016", d.HourlyPrice)
	}
	// A whole day: awake 2 × 0.016 = $0.032; saved 22 × 0.016 = $0.352.
	day := d.Days[len(d.Days)-2]
	if !near(float64(day.AwakeHours), 2) || !near(float64(*day.CostAwake), 0.032) || !near(float64(*day.Saved), 0.352) {
		t.Errorf("a day: awake %v h, $%v, saved $%v; want 2 h, $0.032, $0.352", day.AwakeHours, *day.CostAwake, *day.Saved)
	}
	// 29 whole days: saved 29 × 0.352 = $10.208; always on 29 × 24 × 0.016 = $11.136.
	p := d.Last30Days
	if !near(float64(*p.Saved), 10.208) || !near(float64(*p.AlwaysOn), 11.136) || !near(float64(*p.AwakeHoursPerDay), 2) {
		t.Errorf("30 days: saved $%v, always on $%v, awake %v h a day", *p.Saved, *p.AlwaysOn, *p.AwakeHoursPerDay)
	}
	// A month of 30.42 days: 30.42 × 0.352 = $10.708 ≈ $10.71.
	if month := 30.42 * float64(*p.Saved) / 29; math.Abs(month-10.71) > 0.005 {
		t.Errorf("a month saves $%.4f, want about $10.71", month)
	}
	if r.Total.Databases != 1 || !near(float64(r.Total.Last30Days.Saved), 10.208) || !near(float64(r.Total.Last30Days.CostAwake), 29*0.032) {
		t.Errorf("total %+v, want the database's figures", r.Total)
	}
}

func TestADatabaseIsAwakeAsLongAsItsServicesTogether(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	yesterday := midnight(now).AddDate(0, 0, -1)
	lost := func(days []ledger.Day) []ledger.Day {
		days[len(days)-2] = ledger.Day{Date: yesterday}
		return days
	}
	brief := history(now, 30, time.Minute)
	for i := range brief {
		brief[i].Wakes = 3
	}
	tests := []struct {
		name string
		deps []Dependent
		// awake is yesterday's hours awake; known whether yesterday counts.
		awake float64
		known bool
	}{
		{"two services, 2 h and 3 h: 5 h", []Dependent{{"c/shop", history(now, 30, 2*time.Hour)}, {"c/admin", history(now, 30, 3*time.Hour)}}, 5, true},
		{"two services, 20 h and 10 h: the whole day, not 30 h", []Dependent{{"c/shop", history(now, 30, 20*time.Hour)}, {"c/admin", history(now, 30, 10*time.Hour)}}, 24, true},
		// 3 wakes of a minute each: RDS bills 3 × 10 minutes = 0.5 h.
		{"three short wakes bill ten minutes each", []Dependent{{"c/shop", brief}}, 0.5, true},
		{"a day one service's history lost is unknown", []Dependent{{"c/shop", history(now, 30, 2*time.Hour)}, {"c/admin", lost(history(now, 30, time.Hour))}}, 0, false},
		{"a day one service's history does not reach is unknown", []Dependent{{"c/shop", history(now, 30, 2*time.Hour)}, {"c/admin", history(now, 1, time.Hour)}}, 0, false},
		{"an unreadable history makes every day unknown", []Dependent{{"c/shop", history(now, 30, 2*time.Hour)}, {"c/admin", nil}}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ComputeDatabase(micro(tt.deps...), pricing.Default(), "us-east-1", now)
			day := d.Days[len(d.Days)-2]
			if day.Date != yesterday.Format(time.DateOnly) || day.Known != tt.known || !near(float64(day.AwakeHours), tt.awake) {
				t.Errorf("yesterday %+v, want known %v, awake %v h", day, tt.known, tt.awake)
			}
			if tt.known && !near(float64(*day.Saved), (24-tt.awake)*0.016) {
				t.Errorf("saved $%v, want (24 − %v) × 0.016", *day.Saved, tt.awake)
			}
			if len(d.Services) != len(tt.deps) {
				t.Errorf("services %v", d.Services)
			}
		})
	}
}

func TestADatabaseTheTableCannotPriceCountsItsHoursNotItsDollars(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	web := Dependent{"c/web", history(now, 30, 2*time.Hour)}
	aurora := DatabaseFacts{Kind: "auroraCluster", ID: "orders", Engine: "aurora-postgresql", Status: "available", Dependents: []Dependent{web}}
	large := micro(web)
	large.Class = "db.r7g.large"
	unread := DatabaseFacts{Kind: "rdsInstance", ID: "gone", Dependents: []Dependent{web}, Notes: []string{"not read from RDS: database not found"}}
	tests := []struct {
		name string
		f    DatabaseFacts
		says string
	}{
		{"an Aurora cluster", aurora, "Aurora cluster bills by its member instances"},
		{"a class the table lacks", large, "no price for postgres db.r7g.large in us-east-1"},
		{"a database RDS did not describe", unread, "not read from RDS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Build(nil, pricing.Default(), "us-east-1", now, tt.f)
			d := r.Databases[0]
			if d.HourlyPrice != nil || d.Last30Days.Saved != nil || !strings.Contains(strings.Join(d.Notes, " "), tt.says) {
				t.Errorf("price %v, saved %v, notes %q; want unknown, saying %q", d.HourlyPrice, d.Last30Days.Saved, d.Notes, tt.says)
			}
			if !near(float64(*d.Last30Days.AwakeHoursPerDay), 2) || r.Total.DatabasesPriceUnknown != 1 || r.Total.Last30Days.Saved != 0 {
				t.Errorf("hours %v a day, total %+v", *d.Last30Days.AwakeHoursPerDay, r.Total)
			}
		})
	}
}

func TestTheOperatorsPricesPriceADatabaseTheTableLacks(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	o, err := pricing.ParseOverride(`{"databases": {"eu-south-1": {"postgres": {"db.t4g.micro": 0.02}}}}`)
	if err != nil {
		t.Fatal(err)
	}
	f := micro(Dependent{"c/web", history(now, 30, 2*time.Hour)})
	f.MultiAZ = true
	d := ComputeDatabase(f, pricing.Default().With(o), "eu-south-1", now)
	// Multi-AZ: 2 × 0.02 = $0.04 an hour; a whole day saves 22 × 0.04 = $0.88.
	if d.HourlyPrice == nil || !near(float64(*d.HourlyPrice), 0.04) || !near(float64(*d.Days[len(d.Days)-2].Saved), 0.88) {
		t.Errorf("hourly %v, a day saved %v", d.HourlyPrice, d.Days[len(d.Days)-2].Saved)
	}
}
