package savings

import (
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/pricing"
)

// Report is the savings report: each service, each database they depend
// on, and the total.
type Report struct {
	GeneratedAt time.Time     `json:"generatedAt"`
	Region      string        `json:"region"`
	Prices      pricing.Table `json:"prices"`
	Services    []Service     `json:"services"`
	Databases   []Database    `json:"databases"`
	Total       Total         `json:"total"`
}

// Total sums the services and the databases.
type Total struct {
	Services int `json:"services"`
	// PriceUnknown counts the services whose price is unknown: their hours
	// count, their dollars do not.
	PriceUnknown int `json:"servicesPriceUnknown"`
	Databases    int `json:"databases"`
	// DatabasesPriceUnknown counts the databases whose price is unknown.
	DatabasesPriceUnknown int         `json:"databasesPriceUnknown"`
	Last30Days            TotalPeriod `json:"last30Days"`
	ThisMonth             TotalPeriod `json:"thisMonth"`
}

// TotalPeriod sums one period over the services and the databases.
type TotalPeriod struct {
	// ServiceDaysWithoutHistory counts, over the services, the days the
	// history does not cover; DatabaseDaysWithoutHistory the same over the
	// databases.
	ServiceDaysWithoutHistory  int   `json:"serviceDaysWithoutHistory"`
	DatabaseDaysWithoutHistory int   `json:"databaseDaysWithoutHistory"`
	AwakeHours                 Hours `json:"awakeHours"`
	AsleepHours                Hours `json:"asleepHours"`
	// The services' and databases' hours a day, added up over those the
	// history knows (null when it knows none).
	AwakeHoursPerDay  *Hours  `json:"awakeHoursPerDay"`
	AsleepHoursPerDay *Hours  `json:"asleepHoursPerDay"`
	CostAwake         Dollars `json:"costAwake"`
	AlwaysOn          Dollars `json:"alwaysOn"`
	Saved             Dollars `json:"saved"`
}

// Build is the report of the services and their databases at now, priced
// with t in region.
func Build(facts []Facts, t pricing.Table, region string, now time.Time, databases ...DatabaseFacts) Report {
	r := Report{GeneratedAt: now.UTC(), Region: region, Prices: t, Services: []Service{}, Databases: []Database{}}
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
	for _, f := range databases {
		d := ComputeDatabase(f, t, region, now)
		r.Databases = append(r.Databases, d)
		r.Total.Databases++
		if d.HourlyPrice == nil {
			r.Total.DatabasesPriceUnknown++
		}
		r.Total.Last30Days.addDatabase(d.Last30Days)
		r.Total.ThisMonth.addDatabase(d.ThisMonth)
	}
	return r
}

func (t *TotalPeriod) add(p Period) {
	t.ServiceDaysWithoutHistory += p.DaysWithoutHistory
	t.sum(p)
}

func (t *TotalPeriod) addDatabase(p Period) {
	t.DatabaseDaysWithoutHistory += p.DaysWithoutHistory
	t.sum(p)
}

func (t *TotalPeriod) sum(p Period) {
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
