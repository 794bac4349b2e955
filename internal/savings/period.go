package savings

import "time"

// Period sums a service's days over a period: the last 30 days, or this month.
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Days is the period's days; DaysCovered those the history knows, the
	// others (DaysWithoutHistory) count on neither side.
	Days               int   `json:"days"`
	DaysCovered        int   `json:"daysCovered"`
	DaysWithoutHistory int   `json:"daysWithoutHistory"`
	AwakeHours         Hours `json:"awakeHours"`
	AsleepHours        Hours `json:"asleepHours"`
	// The averages are per day of 24 hours covered (today counts by its hours so far).
	AwakeHoursPerDay  *Hours `json:"awakeHoursPerDay"`
	AsleepHoursPerDay *Hours `json:"asleepHoursPerDay"`
	// CostAwake is what the service cost over the covered days; AlwaysOn what
	// it would have cost running always at its wake count; Saved the difference.
	// Each is null when the price is unknown.
	CostAwake *Dollars `json:"costAwake"`
	AlwaysOn  *Dollars `json:"alwaysOn"`
	Saved     *Dollars `json:"saved"`
}

// period sums the days from from to to (dates, inclusive) at the hourly price.
func period(ds []Day, from, to time.Time, price *float64) Period {
	p := Period{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)}
	covered := 0.0
	for _, d := range ds {
		date, _ := time.Parse(time.DateOnly, d.Date)
		if date.Before(from) || date.After(to) {
			continue
		}
		p.Days++
		if !d.Known {
			p.DaysWithoutHistory++
			continue
		}
		p.DaysCovered++
		covered += float64(d.Hours)
		p.AwakeHours += d.AwakeHours
		p.AsleepHours += d.AsleepHours
	}
	if covered > 0 {
		p.AwakeHoursPerDay = hours(float64(p.AwakeHours) / covered * 24)
		p.AsleepHoursPerDay = hours(float64(p.AsleepHours) / covered * 24)
	}
	if price != nil && p.DaysCovered > 0 {
		p.CostAwake = dollars(float64(p.AwakeHours) * *price)
		p.AlwaysOn = dollars(covered * *price)
		p.Saved = dollars(float64(p.AsleepHours) * *price)
	}
	return p
}
