package savings

import (
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/pricing"
)

// Report is the savings report: each service, and the total.
type Report struct {
	GeneratedAt time.Time     `json:"generatedAt"`
	Region      string        `json:"region"`
	Prices      pricing.Table `json:"prices"`
	Services    []Service     `json:"services"`
	Total       Total         `json:"total"`
}

// Total sums the services.
type Total struct {
	Services int `json:"services"`
	// PriceUnknown counts the services whose price is unknown: their hours
	// count, their dollars do not.
	PriceUnknown int         `json:"servicesPriceUnknown"`
	Last30Days   TotalPeriod `json:"last30Days"`
	ThisMonth    TotalPeriod `json:"thisMonth"`
}

// TotalPeriod sums one period over the services.
type TotalPeriod struct {
	// ServiceDaysWithoutHistory counts, over the services, the days the
	// history does not cover.
	ServiceDaysWithoutHistory int   `json:"serviceDaysWithoutHistory"`
	AwakeHours                Hours `json:"awakeHours"`
	AsleepHours               Hours `json:"asleepHours"`
	// The services' hours a day, added up over the services the history knows
	// (null when it knows none).
	AwakeHoursPerDay  *Hours  `json:"awakeHoursPerDay"`
	AsleepHoursPerDay *Hours  `json:"asleepHoursPerDay"`
	CostAwake         Dollars `json:"costAwake"`
	AlwaysOn          Dollars `json:"alwaysOn"`
	Saved             Dollars `json:"saved"`
}

// Build is the report of the services at now, priced with t in region.
func Build(facts []Facts, t pricing.Table, region string, now time.Time) Report {
	r := Report{GeneratedAt: now.UTC(), Region: region, Prices: t, Services: []Service{}}
	for _, f := range facts {
		s := Compute(f, t, region, now)
		r.Services = append(r.Services, s)
		r.Total.Services++
		if s.HourlyPrice == nil {
			r.Total.PriceUnknown++
		}
		r.Total.Last30Days.add(s.Last30Days)
		r.Total.ThisMonth.add(s.ThisMonth)
	}
	return r
}

func (t *TotalPeriod) add(p Period) {
	t.ServiceDaysWithoutHistory += p.DaysWithoutHistory
	t.AwakeHours += p.AwakeHours
	t.AsleepHours += p.AsleepHours
	if p.AwakeHoursPerDay != nil {
		if t.AwakeHoursPerDay == nil {
			t.AwakeHoursPerDay, t.AsleepHoursPerDay = hours(0), hours(0)
		}
		*t.AwakeHoursPerDay += *p.AwakeHoursPerDay
		*t.AsleepHoursPerDay += *p.AsleepHoursPerDay
	}
	if p.CostAwake != nil {
		t.CostAwake += *p.CostAwake
		t.AlwaysOn += *p.AlwaysOn
		t.Saved += *p.Saved
	}
}
