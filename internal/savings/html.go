package savings

import (
	"fmt"
	"html"
	"io"
	"strings"
)

// The page is written with html.EscapeString and a strings.Builder, not
// html/template: the template packages call reflect's MethodByName, which
// makes the linker keep every exported method of every type the binary
// links, the SDK clients' included. Measured on Auto-Sleep's packaged
// bootstrap (`make size`'s build): 12.2 MB (4.3 MB zipped) as written here,
// 20.8 MB (6.3 MB zipped) with html/template, over its 14 / 5 MB budget.
// Every value written into the page goes through esc.

// Bar geometry, in SVG user units (pixels at 1:1): a day's bar and the gap
// after it, and an hour's height, so that a day stacks to 24 hours.
const (
	barWidth   = 12
	barGap     = 4
	hourHeight = 5
	dayHeight  = 24 * hourHeight
	axisHeight = 16
)

func esc(s string) string { return html.EscapeString(s) }

// WriteHTML writes the report as one self-contained page: inline style and
// SVG, no script, nothing fetched.
func WriteHTML(w io.Writer, r Report) error {
	var b strings.Builder
	title := fmt.Sprintf("Savings report, %s, %s", r.Region, r.GeneratedAt.Format("2006-01-02"))
	b.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8">`)
	b.WriteString(`<meta name="viewport" content="width=device-width,initial-scale=1">`)
	fmt.Fprintf(&b, "<title>%s</title><style>%s</style></head><body><main>\n", esc(title), pageStyle)
	fmt.Fprintf(&b, "<h1>Savings report</h1>\n<p class=\"meta\">%s · %s · prices of %s (%s)%s</p>\n",
		esc(r.GeneratedAt.Format("2006-01-02 15:04 UTC")), esc(r.Region), esc(r.Prices.AsOf), esc(r.Prices.Source), esc(overridden(r)))
	fmt.Fprintf(&b, "<p class=\"total\">Saved in the last %d days: <strong id=\"total-30\">%s</strong> · this month: <strong id=\"total-month\">%s</strong> · %s</p>\n",
		LastDays, money(float64(r.Total.Last30Days.Saved)), money(float64(r.Total.ThisMonth.Saved)), counted(r.Total))
	b.WriteString(legend)
	for _, s := range r.Services {
		writeService(&b, s)
	}
	for _, d := range r.Databases {
		writeDatabase(&b, d)
	}
	writeNotes(&b, r)
	b.WriteString("</main></body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeService(b *strings.Builder, s Service) {
	facts := []string{"size unknown"}
	if s.Size != nil {
		facts = []string{s.Size.String()}
	}
	facts = append(facts, plural(s.Tasks, "task"), orUnknown(s.CapacityProvider))
	if s.PublicIP {
		facts = append(facts, "public IP")
	}
	if s.HourlyPrice == nil {
		facts = append(facts, "price unknown")
	} else {
		facts = append(facts, price(s.HourlyPrice)+" an hour")
	}
	writeSection(b, "service", s.Service, s.Cluster, facts, s.Days, s.Last30Days, s.ThisMonth)
}

// writeSection writes a service's or a database's section: its name and where
// it runs, its facts, a bar per day and its savings.
func writeSection(b *strings.Builder, class, name, where string, facts []string, days []Day, p, m Period) {
	fmt.Fprintf(b, "<section class=\"%s\"><h2>%s <span class=\"cluster\">%s</span></h2>\n<p class=\"facts\">%s</p>\n",
		class, esc(name), esc(where), esc(strings.Join(facts, " · ")))
	writeBars(b, name, days, p.From)
	writeSaved(b, p, m)
}

// writeSaved closes a service's or database's section with its periods' savings.
func writeSaved(b *strings.Builder, p, m Period) {
	fmt.Fprintf(b, "<p class=\"saved\">Saved <strong>%s</strong> in the last %d days (%d of %d days known; awake %s a day) · <strong>%s</strong> this month (%d of %d days known)</p></section>\n",
		esc(moneyOf(p.Saved)), LastDays, p.DaysCovered, p.Days, esc(hoursOf(p.AwakeHoursPerDay)), esc(moneyOf(m.Saved)), m.DaysCovered, m.Days)
}

// writeBars draws a bar per day of the last 30: awake at the bottom, asleep
// above, stacked to the hours the day has had; a day without history is an
// empty, dashed bar. Each bar's <title> says its numbers, for screen readers
// and as a tooltip.
func writeBars(b *strings.Builder, label string, all []Day, from string) {
	var days []Day
	for _, d := range all {
		if d.Date >= from {
			days = append(days, d)
		}
	}
	width := len(days) * (barWidth + barGap)
	fmt.Fprintf(b, "<svg class=\"days\" role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">",
		width, dayHeight+axisHeight, width, dayHeight+axisHeight)
	fmt.Fprintf(b, "<title>%s: hours awake and asleep, day by day, the last %d days</title>\n", esc(label), LastDays)
	for i, d := range days {
		x := i * (barWidth + barGap)
		if !d.Known {
			fmt.Fprintf(b, "<g class=\"day unknown\" data-date=\"%s\"><title>%s: no history</title><rect class=\"unknown\" x=\"%d\" y=\"0\" width=\"%d\" height=\"%d\"/></g>\n",
				esc(d.Date), esc(d.Date), x, barWidth, dayHeight)
			continue
		}
		awake, asleep := float64(d.AwakeHours)*hourHeight, float64(d.AsleepHours)*hourHeight
		fmt.Fprintf(b, "<g class=\"day\" data-date=\"%s\"><title>%s: awake %.1f h, asleep %.1f h%s</title>", esc(d.Date), esc(d.Date), float64(d.AwakeHours), float64(d.AsleepHours), esc(savedOf(d)))
		fmt.Fprintf(b, "<rect class=\"asleep\" x=\"%d\" y=\"%.2f\" width=\"%d\" height=\"%.2f\"/>", x, dayHeight-awake-asleep, barWidth, asleep)
		fmt.Fprintf(b, "<rect class=\"awake\" x=\"%d\" y=\"%.2f\" width=\"%d\" height=\"%.2f\"/></g>\n", x, dayHeight-awake, barWidth, awake)
	}
	if len(days) > 0 {
		fmt.Fprintf(b, "<text x=\"0\" y=\"%d\">%s</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>",
			dayHeight+axisHeight-3, esc(days[0].Date), width-barGap, dayHeight+axisHeight-3, esc(days[len(days)-1].Date))
	}
	b.WriteString("</svg>\n")
}

func savedOf(d Day) string {
	if d.Saved == nil {
		return ""
	}
	return ", saved " + money(float64(*d.Saved))
}

func writeNotes(b *strings.Builder, r Report) {
	var notes []string
	notes = append(notes, "Saved: against running always at the wake count, over the days the history knows; days without history count on neither side.")
	if r.Total.PriceUnknown > 0 {
		notes = append(notes, plural(r.Total.PriceUnknown, "service")+" without a price: their dollars are left out of the total.")
	}
	for _, s := range r.Services {
		for _, n := range s.Notes {
			notes = append(notes, s.Service+": "+n)
		}
	}
	notes = append(notes, databaseNotes(r)...)
	b.WriteString("<ul class=\"notes\">")
	for _, n := range notes {
		fmt.Fprintf(b, "<li>%s</li>", esc(n))
	}
	b.WriteString("</ul>\n")
}

const legend = `<p class="legend"><svg width="12" height="12" aria-hidden="true"><rect class="awake" width="12" height="12"/></svg> awake (paid)
<svg width="12" height="12" aria-hidden="true"><rect class="asleep" width="12" height="12"/></svg> asleep (saved)
<svg width="12" height="12" aria-hidden="true"><rect class="unknown" x="0.5" y="0.5" width="11" height="11"/></svg> no history</p>
`

// pageStyle: system fonts, contrast above 4.5:1 for text, light and dark.
const pageStyle = `:root{color-scheme:light dark;--fg:#1f2328;--muted:#57606a;--bg:#fff;--awake:#b45309;--asleep:#15803d;--unknown:#d0d7de}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9da7b3;--bg:#0d1117;--awake:#f59e0b;--asleep:#22c55e;--unknown:#30363d}}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:760px;margin:0 auto;padding:24px 16px}h1{font-size:1.5rem;margin:0 0 4px}h2{font-size:1.1rem;margin:0}
.meta,.facts,.cluster,.notes{color:var(--muted)}.cluster{font-weight:normal;font-size:.9rem}
.total{font-size:1.1rem}.service,.database{margin:20px 0;padding-top:12px;border-top:1px solid var(--unknown)}
.facts{margin:2px 0 8px}.days{display:block;max-width:100%;height:auto}.days text{fill:var(--muted);font-size:11px}
.awake{fill:var(--awake)}.asleep{fill:var(--asleep)}.unknown{fill:none;stroke:var(--muted);stroke-dasharray:2 2}
.legend svg{vertical-align:-1px}.notes{font-size:.9rem;padding-left:18px}`
