package savings

import (
	"strings"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ledger"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/pricing"
)

// rdsMinimum is what RDS bills at least each time a DB instance starts: it
// bills by the second while available, with a 10-minute minimum.
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_OnDemandDBInstances.html
const rdsMinimum = 10 * time.Minute

// DatabaseFacts are what the report knows of one database the services depend on.
type DatabaseFacts struct {
	// Kind is rdsInstance or auroraCluster; ID its identifier.
	Kind, ID string
	// Engine, Class and MultiAZ are as RDS describes it; Engine is empty when
	// it could not be read.
	Engine, Class string
	MultiAZ       bool
	Status        string
	// Dependents are the services that depend on it, with their histories.
	Dependents []Dependent
	Notes      []string
}

// Dependent is a service that depends on a database, and its history's UTC
// days (nil when the history could not be read).
type Dependent struct {
	Service string
	Days    []ledger.Day
}

// Database is one database's part of the report.
type Database struct {
	Kind        string   `json:"kind"`
	ID          string   `json:"id"`
	Engine      string   `json:"engine,omitempty"`
	Class       string   `json:"class,omitempty"`
	MultiAZ     bool     `json:"multiAZ"`
	Status      string   `json:"status,omitempty"`
	Services    []string `json:"services"`
	HourlyPrice *Dollars `json:"hourlyPrice"`
	Last30Days  Period   `json:"last30Days"`
	ThisMonth   Period   `json:"thisMonth"`
	Days        []Day    `json:"days"`
	Notes       []string `json:"notes,omitempty"`
}

// auroraUnpriced is why an Aurora cluster has no price: it bills by its
// member instances (or by ACU for Serverless v2), which the report does not read.
const auroraUnpriced = "price unknown: an Aurora cluster bills by its member instances, which the report does not read; its hours still count"

// ComputeDatabase is one database's report at now, priced with t in region.
func ComputeDatabase(f DatabaseFacts, t pricing.Table, region string, now time.Time) Database {
	d := Database{Kind: f.Kind, ID: f.ID, Engine: f.Engine, Class: f.Class, MultiAZ: f.MultiAZ, Status: f.Status,
		Services: []string{}, Notes: f.Notes}
	for _, dep := range f.Dependents {
		d.Services = append(d.Services, dep.Service)
	}
	var price *float64
	switch {
	case f.Engine == "":
		// Not read: the notes say why.
	case strings.HasPrefix(f.Engine, "aurora"):
		d.Notes = append(d.Notes, auroraUnpriced)
	default:
		p, err := t.DatabaseHour(region, f.Engine, f.Class, f.MultiAZ)
		if err != nil {
			d.Notes = append(d.Notes, err.Error())
		} else {
			price = &p
			d.HourlyPrice = dollars(p)
		}
	}
	d.Days = days(awakeTogether(f.Dependents), price, now)
	today := midnight(now)
	d.Last30Days = period(d.Days, today.AddDate(0, 0, 1-LastDays), today, price)
	d.ThisMonth = period(d.Days, time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC), today, price)
	return d
}

// awakeTogether is a database's history from its dependents'. The history
// keeps minutes awake per day, not when, so the database counts as awake the
// sum of its dependents' minutes (at most the day): exact for one dependent,
// an upper bound for several, so the saving is never overstated. Each wake
// may start it, and RDS bills a start 10 minutes at least: a day counts at
// least that per wake. A day any dependent's history does not know is
// unknown for the database; so is every day when one history is unreadable.
func awakeTogether(deps []Dependent) []ledger.Day {
	if len(deps) == 0 {
		return nil
	}
	byDate := map[time.Time]ledger.Day{}
	for i, dep := range deps {
		if dep.Days == nil {
			return nil
		}
		seen := map[time.Time]bool{}
		for _, day := range dep.Days {
			date := midnight(day.Date)
			sum, ok := byDate[date]
			if i > 0 && !ok {
				continue // an earlier dependent does not know the day
			}
			seen[date] = true
			sum.Date = date
			sum.Known = (i == 0 || sum.Known) && day.Known
			sum.Awake += day.Awake
			sum.Wakes += day.Wakes
			byDate[date] = sum
		}
		for date := range byDate {
			if !seen[date] {
				delete(byDate, date) // this dependent does not know it
			}
		}
	}
	out := make([]ledger.Day, 0, len(byDate))
	for _, day := range byDate {
		day.Awake = min(max(day.Awake, time.Duration(day.Wakes)*rdsMinimum), 24*time.Hour)
		out = append(out, day)
	}
	return out
}
