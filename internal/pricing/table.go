package pricing

// AsOf is the day the table was compiled from the page's published figures.
const AsOf = "2026-12-05"

// Source is the page they were read from; public IPv4 addresses are priced
// on Amazon VPC's.
const Source = "https://aws.amazon.com/fargate/pricing/ (public IPv4: https://aws.amazon.com/vpc/pricing/)"

// publicIPv4Hour: AWS charges $0.005 an hour for each public IPv4 address,
// in use or not, since 1 February 2024. https://aws.amazon.com/vpc/pricing/
const publicIPv4Hour = 0.005

// spotShare is Fargate Spot's price as a share of on-demand, as the pricing
// page's Spot table showed it for us-east-1 and eu-west-1 ($0.01334053 per
// vCPU-hour and $0.00146489 per GB-hour against $0.04048 and $0.004445):
// 0.32956 of both. Spot prices move with supply and demand, by Region and
// over time, so Spot figures are an estimate: the table applies this share
// to each Region's on-demand price. PRICES sets the day's figures.
const spotShare = 0.01334053 / 0.04048

// SpotNote is what the report says of Spot figures.
const SpotNote = "Fargate Spot prices change with supply and demand; its figures are an estimate (about a third of on-demand) unless PRICES sets them"

// linux is one Region's on-demand Linux prices: x86_64 and ARM64 (Graviton),
// per vCPU-hour and per GB-hour.
type linux struct{ x86VCPU, x86GB, armVCPU, armGB float64 }

// onDemand are the Fargate Linux on-demand prices of the Regions whose
// figures were checked against the page, as of AsOf. Others are left out
// rather than guessed: the report says "price unknown" and PRICES adds them.
var onDemand = map[string]linux{
	"us-east-1": {0.04048, 0.004445, 0.03238, 0.00356}, // N. Virginia
	"us-east-2": {0.04048, 0.004445, 0.03238, 0.00356}, // Ohio
	"us-west-2": {0.04048, 0.004445, 0.03238, 0.00356}, // Oregon
	"eu-west-1": {0.04048, 0.004445, 0.03238, 0.00356}, // Ireland
}

// Default is the table as of AsOf.
func Default() Table {
	t := Table{AsOf: AsOf, Source: Source, PublicIPv4Hour: publicIPv4Hour, SpotNote: SpotNote, Regions: map[string]Rates{},
		Databases: defaultDatabases(), DatabaseSource: DatabaseSource}
	for region, p := range onDemand {
		t.Regions[region] = Rates{
			Fargate: {
				X86_64: {VCPUHour: p.x86VCPU, GBHour: p.x86GB},
				ARM64:  {VCPUHour: p.armVCPU, GBHour: p.armGB},
			},
			// Spot runs X86_64 only (see Table.Rate).
			FargateSpot: {X86_64: {VCPUHour: p.x86VCPU * spotShare, GBHour: p.x86GB * spotShare}},
		}
	}
	return t
}
