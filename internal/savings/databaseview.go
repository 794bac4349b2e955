package savings

import (
	"fmt"
	"strings"
	"text/tabwriter"
)

// writeDatabaseTable writes what each database is and costs an hour awake.
func writeDatabaseTable(b *strings.Builder, r Report) {
	if len(r.Databases) == 0 {
		return
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "database\tclass\tengine\tmulti-AZ\tservices\tper hour")
	for _, d := range r.Databases {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", name(d.ID), orUnknown(d.Class), orUnknown(d.Engine), yesNo(d.MultiAZ),
			name(strings.Join(d.Services, ", ")), price(d.HourlyPrice))
	}
	_ = tw.Flush()
}

// databaseHours says how a database's hours are counted, and what they leave out.
const databaseHours = "Databases: awake as long as their services together (at most the whole day) and at least 10 minutes a wake, RDS's minimum per start: an upper bound when several services share one, so the saving is never overstated. A stopped database still bills its storage and backups: not counted here."

// databaseNotes are the report's footnotes on its databases.
func databaseNotes(r Report) []string {
	if len(r.Databases) == 0 {
		return nil
	}
	notes := []string{databaseHours}
	if n := r.Total.Last30Days.DatabaseDaysWithoutHistory; n > 0 {
		notes = append(notes, fmt.Sprintf("%d database-days without history in the last %d days (a day any of its services' history lacks): counted on neither side.", n, LastDays))
	}
	if r.Total.DatabasesPriceUnknown > 0 {
		notes = append(notes, plural(r.Total.DatabasesPriceUnknown, "database")+" without a price: their dollars are left out of the total.")
	}
	for _, d := range r.Databases {
		for _, n := range d.Notes {
			notes = append(notes, "database "+d.ID+": "+n)
		}
	}
	return notes
}

// counted says what the report covers: "3 services", or "3 services, 1 database".
func counted(t Total) string {
	if t.Databases == 0 {
		return plural(t.Services, "service")
	}
	return plural(t.Services, "service") + ", " + plural(t.Databases, "database")
}

// writeDatabase writes a database's section of the page: what it is, its
// price, a bar per day and its savings.
func writeDatabase(b *strings.Builder, d Database) {
	facts := []string{orUnknown(d.Class), orUnknown(d.Engine)}
	if d.MultiAZ {
		facts = append(facts, "Multi-AZ")
	}
	facts = append(facts, "for "+strings.Join(d.Services, ", "))
	if d.HourlyPrice == nil {
		facts = append(facts, "price unknown")
	} else {
		facts = append(facts, price(d.HourlyPrice)+" an hour")
	}
	writeSection(b, "database", d.ID, d.Kind, facts, d.Days, d.Last30Days, d.ThisMonth)
}
