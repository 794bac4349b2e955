package savings

import (
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ledger"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/pricing"
)

// sampleNow is the sample report's time: 5 December, noon UTC.
var sampleNow = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

// sampleReport has a service of each kind the report tells apart: Fargate
// with a public IP, known every day; Spot at two tasks, known for a week
// with a day lost; one whose price is unknown (ARM64 on Spot).
func sampleReport(names ...string) Report {
	return Build(sampleFacts(names...), pricing.Default(), "us-east-1", sampleNow)
}

// sampleReportWithDatabases is sampleReport with two databases: a
// db.t4g.micro PostgreSQL instance the first service depends on, and an
// Aurora cluster (price unknown) the other two share.
func sampleReportWithDatabases(names ...string) Report {
	facts := sampleFacts(names...)
	dependent := func(f Facts) Dependent { return Dependent{Service: f.Cluster + "/" + f.Service, Days: f.Days} }
	dbs := []DatabaseFacts{
		{Kind: "rdsInstance", ID: "shop-db", Engine: "postgres", Class: "db.t4g.micro", Status: "stopped", Dependents: []Dependent{dependent(facts[0])}},
		{Kind: "auroraCluster", ID: "reports-aurora", Engine: "aurora-postgresql", Status: "available", Dependents: []Dependent{dependent(facts[1]), dependent(facts[2])}},
	}
	return Build(facts, pricing.Default(), "us-east-1", sampleNow, dbs...)
}

func sampleFacts(names ...string) []Facts {
	if len(names) == 0 {
		names = []string{"shop", "reports-generator-nightly-batch", "arm-on-spot"}
	}
	arm := Size{VCPU: 1, MemoryGB: 2, Architecture: pricing.ARM64, OS: "LINUX"}
	week := history(sampleNow, 7, 3*time.Hour)
	week[2] = ledger.Day{Date: week[2].Date}
	varied := history(sampleNow, 31, 0)
	for i := range varied {
		varied[i].Awake = time.Duration(i%5) * time.Hour
	}
	return []Facts{
		{Service: names[0], Cluster: "prod", Size: &smallest, Tasks: 1, Shares: []Share{{pricing.Fargate, 1}}, CapacityProvider: "FARGATE", PublicIP: true, Days: varied},
		{Service: names[1], Cluster: "prod", Size: &smallest, Tasks: 2, Shares: []Share{{pricing.FargateSpot, 2}}, CapacityProvider: "FARGATE_SPOT", Awake: true, Days: week},
		{Service: names[2], Cluster: "dev", Size: &arm, Tasks: 1, Shares: []Share{{pricing.FargateSpot, 1}}, CapacityProvider: "FARGATE_SPOT", Days: week},
	}
}
