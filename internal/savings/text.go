package savings

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
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

// WriteText writes the report as plain text for a terminal, within 100 columns.
func WriteText(w io.Writer, r Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Savings report, %s, %s\n", r.GeneratedAt.Format("2006-01-02 15:04 UTC"), r.Region)
	fmt.Fprintf(&b, "Prices of %s from %s%s\n\n", r.Prices.AsOf, "aws.amazon.com/fargate/pricing", overridden(r))
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
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "service\tperiod\tdays known\tawake/day\tasleep/day\tcost awake\tsaved\t")
	for _, s := range r.Services {
		for i, p := range []Period{s.Last30Days, s.ThisMonth} {
			label := name(s.Service)
			if i > 0 {
				label = ""
			}
			fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%s\t%s\t%s\t%s\t\n", label, periodName(i), p.DaysCovered, p.Days,
				hoursOf(p.AwakeHoursPerDay), hoursOf(p.AsleepHoursPerDay), moneyOf(p.CostAwake), moneyOf(p.Saved))
		}
	}
	for i, p := range []TotalPeriod{r.Total.Last30Days, r.Total.ThisMonth} {
		label := fmt.Sprintf("total (%d)", r.Total.Services)
		if i > 0 {
			label = ""
		}
		fmt.Fprintf(tw, "%s\t%s\t\t%s\t%s\t%s\t%s\t\n", label, periodName(i), totalHours(p.AwakeHours), totalHours(p.AsleepHours), money(float64(p.CostAwake)), money(float64(p.Saved)))
	}
	_ = tw.Flush()
	writeFootnotes(&b, r)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeFootnotes(b *strings.Builder, r Report) {
	b.WriteString("\nSaved: against running always at the wake count, over the days the history knows.\n")
	if n := r.Total.Last30Days.ServiceDaysWithoutHistory; n > 0 {
		fmt.Fprintf(b, "%d service-days without history in the last %d days: counted on neither side.\n", n, LastDays)
	}
	if r.Total.PriceUnknown > 0 {
		fmt.Fprintf(b, "%d service(s) without a price: their dollars are left out of the total.\n", r.Total.PriceUnknown)
	}
	for _, s := range r.Services {
		if s.CapacityProvider != "" && strings.Contains(s.CapacityProvider, "SPOT") {
			fmt.Fprintf(b, "Spot: %s.\n", r.Prices.SpotNote)
			break
		}
	}
	for _, s := range r.Services {
		for _, n := range s.Notes {
			fmt.Fprintf(b, "%s: %s\n", s.Service, n)
		}
	}
}

// totalHours are hours summed over services and days.
func totalHours(h Hours) string { return fmt.Sprintf("%.1f h", float64(h)) }

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

var _ = time.DateOnly
