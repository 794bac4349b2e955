package pricing

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// DatabaseSource is where the table's database figures come from: RDS's
// on-demand, Single-AZ instance-hour prices, by engine.
const DatabaseSource = "https://aws.amazon.com/rds/postgresql/pricing/, https://aws.amazon.com/rds/mysql/pricing/"

// DatabaseRates are a Region's RDS instance-hour prices, Single-AZ, in US
// dollars: by engine (RDS's name for it: postgres, mysql, …), then by
// instance class (db.t4g.micro).
type DatabaseRates map[string]map[string]float64

// rdsOnDemand are the prices checked against the pricing pages as of AsOf;
// others are left out rather than guessed ("price unknown", PRICES adds
// them). PostgreSQL and MySQL cost the same for these classes.
var rdsOnDemand = map[string]DatabaseRates{
	"us-east-1": {
		"postgres": {"db.t4g.micro": 0.016, "db.t4g.small": 0.032, "db.t4g.medium": 0.065},
		"mysql":    {"db.t4g.micro": 0.016, "db.t4g.small": 0.032, "db.t4g.medium": 0.065},
	},
}

// defaultDatabases is a copy of rdsOnDemand, which With may then change.
func defaultDatabases() map[string]DatabaseRates {
	out := make(map[string]DatabaseRates, len(rdsOnDemand))
	for region, rates := range rdsOnDemand {
		out[region] = cloneDatabaseRates(rates)
	}
	return out
}

func cloneDatabaseRates(r DatabaseRates) DatabaseRates {
	out := make(DatabaseRates, len(r))
	for engine, classes := range r {
		out[engine] = maps.Clone(classes)
	}
	return out
}

// DatabaseHour is what one DB instance of class and engine costs an hour in
// region while it is available. RDS bills an instance by the second while it
// is available (10 minutes at least per start) and not while it is stopped;
// a Multi-AZ instance bills its standby's hours as well as its own, so twice
// the Single-AZ price.
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_OnDemandDBInstances.html
func (t Table) DatabaseHour(region, engine, class string, multiAZ bool) (float64, error) {
	if class == "" || engine == "" {
		return 0, fmt.Errorf("%w: instance class or engine not read", ErrUnknown)
	}
	p, ok := t.Databases[region][engine][class]
	if !ok {
		return 0, fmt.Errorf("%w: no price for %s %s in %s (set PRICES)", ErrUnknown, engine, class, region)
	}
	if multiAZ {
		return 2 * p, nil
	}
	return p, nil
}

// rdsEngines are the engines RDS names for DB instances that the report can
// price from a figure per class; Aurora's clusters are not among them.
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (Engine)
var rdsEngines = []string{
	"db2-ae", "db2-se", "mariadb", "mysql", "oracle-ee", "oracle-ee-cdb", "oracle-se2", "oracle-se2-cdb",
	"postgres", "sqlserver-ee", "sqlserver-se", "sqlserver-ex", "sqlserver-web",
}

// instanceClass is how RDS names a DB instance class: db.t4g.micro, db.m7g.2xlarge, db.r6gd.large.
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Types.html
var instanceClass = regexp.MustCompile(`^db\.[a-z0-9-]+\.[a-z0-9]+$`)

// maxDatabaseHourly is above the dearest RDS instance's hourly price (tens
// of dollars): a figure above it is a mistake, such as a monthly price of a
// large instance.
const maxDatabaseHourly = 150.0

// checkDatabases reads PRICES's "databases": {"REGION": {"ENGINE": {"CLASS": N}}}.
func checkDatabases(given map[string]map[string]map[string]*float64) (map[string]DatabaseRates, error) {
	out := make(map[string]DatabaseRates, len(given))
	for _, region := range sortedKeys(given) {
		at := "databases." + region
		if !regionName.MatchString(region) {
			return nil, fmt.Errorf("databases: %q is not a Region name such as us-east-1", region)
		}
		if len(given[region]) == 0 {
			return nil, fmt.Errorf("%s: gives no price", at)
		}
		out[region] = DatabaseRates{}
		for _, engine := range sortedKeys(given[region]) {
			if !slices.Contains(rdsEngines, engine) {
				return nil, fmt.Errorf("%s: %q is not an RDS engine the report prices: use one of %s", at, engine, strings.Join(rdsEngines, ", "))
			}
			classes := given[region][engine]
			if len(classes) == 0 {
				return nil, fmt.Errorf("%s.%s: gives no price", at, engine)
			}
			out[region][engine] = map[string]float64{}
			for _, class := range sortedKeys(classes) {
				where := at + "." + engine + "." + class
				if !instanceClass.MatchString(class) {
					return nil, fmt.Errorf("%s: %q is not a DB instance class such as db.t4g.micro", at+"."+engine, class)
				}
				p := classes[class]
				if p == nil || !(*p >= 0 && *p <= maxDatabaseHourly) {
					return nil, fmt.Errorf("%s: want the Single-AZ price in dollars an hour, between 0 and %v", where, maxDatabaseHourly)
				}
				out[region][engine][class] = *p
			}
		}
	}
	return out, nil
}
