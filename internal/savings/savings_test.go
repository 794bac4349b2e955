package savings

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ledger"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/pricing"
)

// smallest is the smallest Fargate task: 0.25 vCPU, 0.5 GB, x86_64 Linux.
var smallest = Size{VCPU: 0.25, MemoryGB: 0.5, Architecture: pricing.X86_64, OS: "LINUX"}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// history is days of the same awake time, the last one today.
func history(today time.Time, n int, awake time.Duration) []ledger.Day {
	var out []ledger.Day
	for i := n - 1; i >= 0; i-- {
		out = append(out, ledger.Day{Date: midnight(today).AddDate(0, 0, -i), Awake: awake, Wakes: 1, Known: true})
	}
	return out
}

func TestTheSmallestTaskAwakeTwoHoursADay(t *testing.T) {
	// Midnight: the 30 days are 29 whole ones, each awake 2 h, and today's first instant.
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		provider string
		publicIP bool
		// hourly, alwaysOnDay, awakeDay, savedDay: written out by hand below.
		hourly, alwaysOnDay, awakeDay, savedDay float64
	}{
		// 0.25 × 0.04048 + 0.5 × 0.004445 = 0.01012 + 0.0022225 = 0.0123425 an hour;
		// always on 24 × 0.0123425 = 0.29622 a day; awake 2 × 0.0123425 = 0.024685;
		// saved 22 × 0.0123425 = 0.271535.
		{"on Fargate", pricing.Fargate, false, 0.0123425, 0.29622, 0.024685, 0.271535},
		// Plus one public IPv4 address: 0.0123425 + 0.005 = 0.0173425 an hour;
		// 24 × = 0.41622; 2 × = 0.034685; 22 × = 0.381535.
		{"on Fargate with a public IP", pricing.Fargate, true, 0.0173425, 0.41622, 0.034685, 0.381535},
		// Spot, us-east-1: 0.01334053 a vCPU-hour; a GB-hour at the same share of
		// on-demand, 0.004445 × 0.01334053 / 0.04048 = 0.004445 × 0.3295585474 =
		// 0.0014648877. 0.25 × 0.01334053 + 0.5 × 0.0014648877 = 0.0033351325 +
		// 0.0007324439 = 0.0040675764 an hour; 24 × = 0.0976218329;
		// 2 × = 0.0081351527; 22 × = 0.0894866802.
		{"on Fargate Spot", pricing.FargateSpot, false, 0.0040675764, 0.0976218329, 0.0081351527, 0.0894866802},
		// Spot with a public IP: 0.0040675764 + 0.005 = 0.0090675764 an hour;
		// 24 × = 0.2176218329; 2 × = 0.0181351527; 22 × = 0.1994866802.
		{"on Fargate Spot with a public IP", pricing.FargateSpot, true, 0.0090675764, 0.2176218329, 0.0181351527, 0.1994866802},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Facts{Service: "web", Cluster: "c", Size: &smallest, Tasks: 1, Shares: []Share{{tt.provider, 1}},
				PublicIP: tt.publicIP, Days: history(now, 30, 2*time.Hour)}
			s := Compute(f, pricing.Default(), "us-east-1", now)
			const tol = 1e-8
			if s.HourlyPrice == nil || math.Abs(float64(*s.HourlyPrice)-tt.hourly) > tol {
				t.Fatalf("hourly %v, want %v", s.HourlyPrice, tt.hourly)
			}
			d := s.Days[len(s.Days)-2] // yesterday, a whole day
			if math.Abs(float64(*d.CostAwake)-tt.awakeDay) > tol || math.Abs(float64(*d.Saved)-tt.savedDay) > tol {
				t.Errorf("a day: awake $%v saved $%v, want $%v and $%v", *d.CostAwake, *d.Saved, tt.awakeDay, tt.savedDay)
			}
			p := s.Last30Days
			if p.DaysCovered != 30 || p.DaysWithoutHistory != 0 {
				t.Errorf("covered %d, without history %d; want 30 and 0", p.DaysCovered, p.DaysWithoutHistory)
			}
			if math.Abs(float64(*p.AlwaysOn)-29*tt.alwaysOnDay) > 1e-6 || math.Abs(float64(*p.CostAwake)-29*tt.awakeDay) > 1e-6 ||
				math.Abs(float64(*p.Saved)-29*tt.savedDay) > 1e-6 {
				t.Errorf("30 days: always on $%v, awake $%v, saved $%v; want 29 × %v, %v, %v", *p.AlwaysOn, *p.CostAwake, *p.Saved, tt.alwaysOnDay, tt.awakeDay, tt.savedDay)
			}
			if !near(float64(*p.AwakeHoursPerDay), 2) || !near(float64(*p.AsleepHoursPerDay), 22) {
				t.Errorf("per day: awake %v h, asleep %v h; want 2 and 22", *p.AwakeHoursPerDay, *p.AsleepHoursPerDay)
			}
		})
	}
}

func TestAPartialMonthCountsTodayByItsHoursSoFar(t *testing.T) {
	// 5 December, noon: 1–4 December whole (2 h awake each), today 12 h so far, 2 h awake.
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	f := Facts{Service: "web", Size: &smallest, Tasks: 1, Shares: []Share{{pricing.Fargate, 1}}, Days: history(now, 5, 2*time.Hour)}
	s := Compute(f, pricing.Default(), "us-east-1", now)
	m := s.ThisMonth
	// Covered 4 × 24 + 12 = 108 h; awake 5 × 2 = 10 h; asleep 98 h.
	// Cost awake 10 × 0.0123425 = 0.123425; always on 108 × 0.0123425 = 1.33299;
	// saved 98 × 0.0123425 = 1.209565. Per day of 24 h: awake 10/108 × 24 = 2.2222 h.
	if m.From != "2026-12-01" || m.Days != 5 || m.DaysCovered != 5 {
		t.Errorf("this month from %s, %d days, %d covered; want 2026-12-01, 5, 5", m.From, m.Days, m.DaysCovered)
	}
	if !near(float64(m.AwakeHours), 10) || !near(float64(m.AsleepHours), 98) {
		t.Errorf("awake %v h, asleep %v h; want 10 and 98", m.AwakeHours, m.AsleepHours)
	}
	if !near(float64(*m.CostAwake), 0.123425) || !near(float64(*m.AlwaysOn), 1.33299) || !near(float64(*m.Saved), 1.209565) {
		t.Errorf("awake $%v, always on $%v, saved $%v; want 0.123425, 1.33299, 1.209565", *m.CostAwake, *m.AlwaysOn, *m.Saved)
	}
	if !near(float64(*m.AwakeHoursPerDay), 10.0/108*24) {
		t.Errorf("awake per day %v h, want %v", *m.AwakeHoursPerDay, 10.0/108*24)
	}
	// The last 30 days reach back to 6 November: 25 days the history does not know.
	l := s.Last30Days
	if l.From != "2026-11-06" || l.Days != 30 || l.DaysCovered != 5 || l.DaysWithoutHistory != 25 {
		t.Errorf("last 30 days from %s: %d days, %d covered, %d without history; want 2026-11-06, 30, 5, 25", l.From, l.Days, l.DaysCovered, l.DaysWithoutHistory)
	}
	if !near(float64(*l.Saved), float64(*m.Saved)) {
		t.Errorf("unknown days counted: saved $%v over 30 days, $%v this month", *l.Saved, *m.Saved)
	}
}

func TestUnknownDaysCountOnNeitherSide(t *testing.T) {
	now := time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC)
	days := history(now.Add(-time.Second), 10, 3*time.Hour)
	days[4].Known, days[4].Awake = false, 0 // a lost day in the middle
	tests := []struct {
		name            string
		days            []ledger.Day
		covered, absent int
	}{
		{"a history with a lost day", days, 9, 21},
		{"no history at all (unreadable)", nil, 0, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Compute(Facts{Service: "web", Size: &smallest, Tasks: 1, Shares: []Share{{pricing.Fargate, 1}}, Days: tt.days}, pricing.Default(), "us-east-1", now)
			p := s.Last30Days
			if p.DaysCovered != tt.covered || p.DaysWithoutHistory != tt.absent {
				t.Errorf("covered %d, without history %d; want %d and %d", p.DaysCovered, p.DaysWithoutHistory, tt.covered, tt.absent)
			}
			// 9 whole days × 3 h = 27 h awake, 9 × 21 = 189 h asleep; today 0 h so far.
			if wantAwake := float64(tt.covered) * 3; tt.covered > 0 && !near(float64(p.AwakeHours), wantAwake) {
				t.Errorf("awake %v h, want %v", p.AwakeHours, wantAwake)
			}
			if tt.covered == 0 && (p.CostAwake != nil || p.Saved != nil || p.AwakeHoursPerDay != nil) {
				t.Errorf("no day known, yet dollars or averages: %+v", p)
			}
		})
	}
}

func TestAPriceTheTableDoesNotHaveIsUnknownAndItsHoursStillCount(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	arm := Size{VCPU: 1, MemoryGB: 2, Architecture: pricing.ARM64, OS: "LINUX"}
	win := Size{VCPU: 1, MemoryGB: 2, Architecture: pricing.X86_64, OS: "WINDOWS_SERVER_2022_CORE"}
	tests := []struct {
		name, region string
		size         Size
		provider     string
	}{
		{"a Region not in the table", "eu-south-1", smallest, pricing.Fargate},
		{"ARM64 on Fargate Spot", "us-east-1", arm, pricing.FargateSpot},
		{"Windows", "us-east-1", win, pricing.Fargate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Facts{Service: "web", Size: &tt.size, Tasks: 1, Shares: []Share{{tt.provider, 1}}, Days: history(now, 5, time.Hour)}
			r := Build([]Facts{f}, pricing.Default(), tt.region, now)
			s := r.Services[0]
			if s.HourlyPrice != nil || s.ThisMonth.Saved != nil || len(s.Notes) == 0 {
				t.Errorf("price %v, saved %v, notes %q: want unknown, with a note", s.HourlyPrice, s.ThisMonth.Saved, s.Notes)
			}
			if !near(float64(s.ThisMonth.AwakeHours), 5) || r.Total.PriceUnknown != 1 {
				t.Errorf("awake %v h (want 5), services with no price %d (want 1)", s.ThisMonth.AwakeHours, r.Total.PriceUnknown)
			}
		})
	}
}

func TestTheWakeCountIsPlacedOnTheCapacityProvidersAsECSDoes(t *testing.T) {
	tests := []struct {
		name       string
		strategy   []Strategy
		launchType string
		n          int
		want       string
		err        error
	}{
		{"no strategy, Fargate launch type", nil, "FARGATE", 2, "FARGATE", nil},
		{"no strategy, no launch type: ECS's default", nil, "", 1, "FARGATE", nil},
		{"spot alone", []Strategy{{pricing.FargateSpot, 0, 1}}, "", 3, "FARGATE_SPOT", nil},
		{"base on Fargate, the rest 1:3", []Strategy{{pricing.Fargate, 1, 1}, {pricing.FargateSpot, 0, 3}}, "", 5, "FARGATE 2 + FARGATE_SPOT 3", nil},
		{"the base takes the only task", []Strategy{{pricing.Fargate, 1, 1}, {pricing.FargateSpot, 0, 3}}, "", 1, "FARGATE", nil},
		{"an even split rounds to the heavier weight", []Strategy{{pricing.Fargate, 0, 1}, {pricing.FargateSpot, 0, 2}}, "", 1, "FARGATE_SPOT", nil},
		{"EC2", nil, "EC2", 1, "", ErrNotFargate},
		{"an EC2 capacity provider", []Strategy{{"asg", 0, 1}}, "", 1, "", ErrNotFargate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shares, err := Place(tt.strategy, tt.launchType, tt.n)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err == nil && Providers(shares) != tt.want {
				t.Errorf("placed %s, want %s", Providers(shares), tt.want)
			}
		})
	}
}

func TestFiguresAreRoundedOnlyForDisplay(t *testing.T) {
	// 29 whole days each saving 0.271535: 7.874515 in all, shown $7.87. Rounded
	// to the cent day by day it would be 29 × 0.27 = 7.83.
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	s := Compute(Facts{Service: "web", Size: &smallest, Tasks: 1, Shares: []Share{{pricing.Fargate, 1}}, Days: history(now, 30, 2*time.Hour)},
		pricing.Default(), "us-east-1", now)
	saved := float64(*s.Last30Days.Saved)
	if !near(saved, 7.874515) {
		t.Errorf("saved %v, want 7.874515", saved)
	}
	if got := money(saved); got != "$7.87" {
		t.Errorf("shown %s, want $7.87", got)
	}
	if b, _ := s.Last30Days.Saved.MarshalJSON(); string(b) != "7.874515" {
		t.Errorf("JSON %s, want 7.874515", b)
	}
}
