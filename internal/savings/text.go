package savings

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// money is dollars to the cent, as people read them.
func money(v float64) string { return fmt.Sprintf("$%.2f", v) }

// price is an hourly price, to the ten-thousandth of a dollar.
func price(d *Dollars) string {
	if d == nil {
		return "unknown"
	}
	return fmt.Sprintf("$%.4f", float64(*d))
}

func moneyOf(d *Dollars) string {
	if d == nil {
		return "—"
	}
	return money(float64(*d))
}

func hoursOf(h *Hours) string {
	if h == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f h", float64(*h))
}

// nameWidth is the widest service name the table shows in full.
const nameWidth = 24

func name(s string) string {
	if r := []rune(s); len(r) > nameWidth {
		return string(r[:nameWidth-1]) + "…"
	}
	return s
}

// row is a line of the periods' table.
const row = "%-24s  %-12s  %10s  %9s  %10s  %10s  %9s\n"

// writePeriods writes one service's or database's two periods.
func writePeriods(b *strings.Builder, label string, periods ...Period) {
	for i, p := range periods {
		fmt.Fprintf(b, row, first(i, label), periodName(i), fmt.Sprintf("%d/%d", p.DaysCovered, p.Days),
			hoursOf(p.AwakeHoursPerDay), hoursOf(p.AsleepHoursPerDay), moneyOf(p.CostAwake), moneyOf(p.Saved))
	}
}

// WriteText writes the report as plain text for a terminal, within 100 columns.
func WriteText(w io.Writer, r Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Savings report, %s, %s\n", r.GeneratedAt.Format("2006-01-02 15:04 UTC"), r.Region)
	fmt.Fprintf(&b, "Prices of %s from %s%s\n", r.Prices.AsOf, "aws.amazon.com/fargate/pricing", overridden(r))
	if len(r.Databases) > 0 {
		b.WriteString("Database prices from aws.amazon.com/rds/postgresql/pricing and aws.amazon.com/rds/mysql/pricing\n")
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "service\tsize\ttasks\tcapacity\tpublic IP\tper hour")
	for _, s := range r.Services {
		size := "unknown"
		if s.Size != nil {
			size = s.Size.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", name(s.Service), size, s.Tasks, orUnknown(s.CapacityProvider), yesNo(s.PublicIP), price(s.HourlyPrice))
	}
	_ = tw.Flush()
	writeDatabaseTable(&b, r)
	b.WriteString("\n")
	fmt.Fprintf(&b, row, "service", "period", "days known", "awake/day", "asleep/day", "cost awake", "saved")
	for _, s := range r.Services {
		writePeriods(&b, name(s.Service), s.Last30Days, s.ThisMonth)
	}
	for _, d := range r.Databases {
		writePeriods(&b, name("database "+d.ID), d.Last30Days, d.ThisMonth)
	}
	label := "total, " + plural(r.Total.Services, "service")
	if r.Total.Databases > 0 {
		label = name(fmt.Sprintf("total, %d svc + %d db", r.Total.Services, r.Total.Databases))
	}
	for i, p := range []TotalPeriod{r.Total.Last30Days, r.Total.ThisMonth} {
		cost, saved := money(float64(p.CostAwake)), money(float64(p.Saved))
		if p.AwakeHoursPerDay == nil {
			cost, saved = "—", "—" // no day of any service known
		}
		fmt.Fprintf(&b, row, first(i, label), periodName(i), "",
			hoursOf(p.AwakeHoursPerDay), hoursOf(p.AsleepHoursPerDay), cost, saved)
	}
	writeFootnotes(&b, r)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeFootnotes(b *strings.Builder, r Report) {
	notes := []string{"Saved: against running always at the wake count, over the days the history knows; the total's hours a day add up the services'."}
	if len(r.Databases) > 0 {
		notes[0] = "Saved: against running always (a service at its wake count), over the days the history knows; the total's hours a day add up the services' and the databases'."
	}
	if n := r.Total.Last30Days.ServiceDaysWithoutHistory; n > 0 {
		notes = append(notes, fmt.Sprintf("%d service-days without history in the last %d days: counted on neither side.", n, LastDays))
	}
	if r.Total.PriceUnknown > 0 {
		notes = append(notes, plural(r.Total.PriceUnknown, "service")+" without a price: their dollars are left out of the total.")
	}
	for _, s := range r.Services {
		if strings.Contains(s.CapacityProvider, "SPOT") {
			notes = append(notes, "Spot: "+r.Prices.SpotNote+".")
			break
		}
	}
	for _, s := range r.Services {
		for _, n := range s.Notes {
			notes = append(notes, s.Service+": "+n)
		}
	}
	notes = append(notes, databaseNotes(r)...)
	b.WriteString("\n")
	for _, n := range notes {
		b.WriteString(wrap(n, 100) + "\n")
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// first is label on a service's first row, and blank on the next.
func first(i int, label string) string {
	if i > 0 {
		return ""
	}
	return label
}

// wrap breaks a footnote into lines of at most width columns.
func wrap(s string, width int) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len([]rune(line))+1+len([]rune(w)) > width {
			lines = append(lines, line)
			line = "  " + w
			continue
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return strings.Join(append(lines, line), "\n")
}

func periodName(i int) string {
	if i == 0 {
		return fmt.Sprintf("last %d days", LastDays)
	}
	return "this month"
}

func overridden(r Report) string {
	if r.Prices.Overridden {
		return ", with the operator's PRICES"
	}
	return ""
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
