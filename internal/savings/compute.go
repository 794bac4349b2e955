package savings

import (
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ledger"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/pricing"
)

// LastDays is the length of the report's rolling period, in UTC days ending today.
const LastDays = 30

// Facts are what the report knows of one service.
type Facts struct {
	Service, Cluster string
	TaskDefinition   string
	// Size is nil when the task definition could not be read.
	Size *Size
	// Tasks is the wake count: what a wake restores, and what running always would run.
	Tasks int
	// Shares are the tasks by capacity provider; nil when not known.
	Shares []Share
	// CapacityProvider says where the tasks run, as the report shows it.
	CapacityProvider string
	PublicIP         bool
	Awake            bool
	// Days are the history's UTC days, oldest first; nil when it could not be read.
	Days []ledger.Day
	// Notes say what could not be read or priced, in words.
	Notes []string
}

// Service is one service's part of the report.
type Service struct {
	Service          string   `json:"service"`
	Cluster          string   `json:"cluster"`
	TaskDefinition   string   `json:"taskDefinition,omitempty"`
	Size             *Size    `json:"size"`
	Tasks            int      `json:"tasks"`
	CapacityProvider string   `json:"capacityProvider"`
	Placement        []Share  `json:"placement,omitempty"`
	PublicIP         bool     `json:"publicIp"`
	Awake            bool     `json:"awake"`
	HourlyPrice      *Dollars `json:"hourlyPrice"`
	Last30Days       Period   `json:"last30Days"`
	ThisMonth        Period   `json:"thisMonth"`
	Days             []Day    `json:"days"`
	Notes            []string `json:"notes,omitempty"`
}

// Day is one UTC day of a service.
type Day struct {
	Date string `json:"date"`
	// Known is false for a day the history does not cover: it counts on neither side.
	Known bool `json:"known"`
	// Hours is how much of the day has passed: 24, or today's so far.
	Hours       Hours    `json:"hours"`
	AwakeHours  Hours    `json:"awakeHours"`
	AsleepHours Hours    `json:"asleepHours"`
	Wakes       int      `json:"wakes"`
	CostAwake   *Dollars `json:"costAwake"`
	Saved       *Dollars `json:"saved"`
}

// Compute is one service's report at now, priced with t in region.
func Compute(f Facts, t pricing.Table, region string, now time.Time) Service {
	s := Service{
		Service: f.Service, Cluster: f.Cluster, TaskDefinition: f.TaskDefinition, Size: f.Size,
		Tasks: f.Tasks, CapacityProvider: f.CapacityProvider, Placement: f.Shares, PublicIP: f.PublicIP,
		Awake: f.Awake, Notes: f.Notes,
	}
	var price *float64
	if f.Size != nil && f.Shares != nil {
		p, err := HourlyPrice(t, region, *f.Size, f.Shares, f.PublicIP)
		if err != nil {
			s.Notes = append(s.Notes, err.Error())
		} else {
			price = &p
			s.HourlyPrice = dollars(p)
		}
	}
	s.Days = days(f.Days, price, now)
	today := midnight(now)
	s.Last30Days = period(s.Days, today.AddDate(0, 0, 1-LastDays), today, price)
	s.ThisMonth = period(s.Days, time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC), today, price)
	return s
}

// days are the report's UTC days, oldest first, up to today: the last 30 and
// the whole month so far, each from the history when it knows the day.
func days(history []ledger.Day, price *float64, now time.Time) []Day {
	today := midnight(now)
	first := earlier(today.AddDate(0, 0, 1-LastDays), time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC))
	known := make(map[time.Time]ledger.Day, len(history))
	for _, d := range history {
		if d.Known {
			known[midnight(d.Date)] = d
		}
	}
	var out []Day
	for date := first; !date.After(today); date = date.AddDate(0, 0, 1) {
		hours := 24.0
		if date.Equal(today) {
			hours = now.Sub(today).Hours()
		}
		d := Day{Date: date.Format(time.DateOnly), Hours: Hours(hours)}
		if h, ok := known[date]; ok {
			awake := min(h.Awake.Hours(), hours)
			d.Known, d.Wakes = true, h.Wakes
			d.AwakeHours, d.AsleepHours = Hours(awake), Hours(hours-awake)
			if price != nil {
				d.CostAwake = dollars(awake * *price)
				d.Saved = dollars((hours - awake) * *price)
			}
		}
		out = append(out, d)
	}
	return out
}

// earlier of two times.
func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func midnight(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
