// Package pricing holds what Fargate costs by the hour: a dated table of AWS's
// published prices in code, which the operator can override (PRICES), and the
// one lookup the savings report makes.
package pricing

import (
	"errors"
	"fmt"
	"maps"
)

// Capacity providers, as ECS names them in a service's capacity provider strategy.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
const (
	Fargate     = "FARGATE"
	FargateSpot = "FARGATE_SPOT"
)

// CPU architectures, as a task definition's runtimePlatform names them (X86_64
// when it names none).
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RuntimePlatform.html
const (
	X86_64 = "X86_64"
	ARM64  = "ARM64"
)

// Rate is Fargate's price of a task's size, in US dollars: per vCPU and per
// GB of memory, each per hour (Fargate bills by the second, with a minute's
// minimum: https://aws.amazon.com/fargate/pricing/).
type Rate struct {
	VCPUHour float64 `json:"vcpuHour"`
	GBHour   float64 `json:"gbHour"`
}

// Rates are a Region's rates: by capacity provider, then by architecture.
type Rates map[string]map[string]Rate

// Table is the prices the report uses.
type Table struct {
	// AsOf is the day the table's figures were read from Source.
	AsOf string `json:"asOf"`
	// Source is where they come from.
	Source string `json:"source"`
	// Regions are the Regions the table prices.
	Regions map[string]Rates `json:"-"`
	// PublicIPv4Hour is the price of a public IPv4 address an hour.
	PublicIPv4Hour float64 `json:"publicIpv4Hour"`
	// Overridden: the operator's PRICES changed some of the figures.
	Overridden bool `json:"overridden"`
	// SpotNote says what Fargate Spot's figures are.
	SpotNote string `json:"spotNote"`
	// Databases are RDS's instance-hour prices, by Region.
	Databases map[string]DatabaseRates `json:"-"`
	// DatabaseSource is where the database figures come from.
	DatabaseSource string `json:"databaseSource"`
}

// ErrUnknown is what a Region, a capacity provider or an architecture the
// table has no price for matches (errors.Is): the report says "price
// unknown" rather than guessing.
var ErrUnknown = errors.New("price unknown")

// Rate is the price of one task on provider in region with the architecture arch.
func (t Table) Rate(region, provider, arch string) (Rate, error) {
	if provider == FargateSpot && arch == ARM64 {
		// Fargate Spot runs Linux X86_64 tasks only.
		// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
		return Rate{}, fmt.Errorf("%w: Fargate Spot does not run ARM64 tasks", ErrUnknown)
	}
	rates, ok := t.Regions[region]
	if !ok {
		return Rate{}, fmt.Errorf("%w: no price for Region %q (set PRICES)", ErrUnknown, region)
	}
	r, ok := rates[provider][arch]
	if !ok {
		return Rate{}, fmt.Errorf("%w: no price for %s %s in %s (set PRICES)", ErrUnknown, provider, arch, region)
	}
	return r, nil
}

// With returns the table with the operator's figures in place of its own:
// each Region, capacity provider and architecture given replaces the
// table's; what is not given keeps the table's figure.
func (t Table) With(o Override) Table {
	if o.empty() {
		return t
	}
	out := t
	out.Overridden = true
	out.Regions = make(map[string]Rates, len(t.Regions)+len(o.Regions))
	for region, rates := range t.Regions {
		out.Regions[region] = cloneRates(rates)
	}
	for region, rates := range o.Regions {
		r, ok := out.Regions[region]
		if !ok {
			r = Rates{}
			out.Regions[region] = r
		}
		for provider, archs := range rates {
			if r[provider] == nil {
				r[provider] = map[string]Rate{}
			}
			maps.Copy(r[provider], archs)
		}
	}
	if o.PublicIPv4Hour != nil {
		out.PublicIPv4Hour = *o.PublicIPv4Hour
	}
	out.Databases = withDatabases(t.Databases, o.Databases)
	return out
}

// withDatabases is base with given's figures in place of its own, each
// Region, engine and class given replacing base's.
func withDatabases(base, given map[string]DatabaseRates) map[string]DatabaseRates {
	out := make(map[string]DatabaseRates, len(base)+len(given))
	for region, rates := range base {
		out[region] = cloneDatabaseRates(rates)
	}
	for region, engines := range given {
		if out[region] == nil {
			out[region] = DatabaseRates{}
		}
		for engine, classes := range engines {
			if out[region][engine] == nil {
				out[region][engine] = map[string]float64{}
			}
			maps.Copy(out[region][engine], classes)
		}
	}
	return out
}

func cloneRates(r Rates) Rates {
	out := make(Rates, len(r))
	for provider, archs := range r {
		out[provider] = maps.Clone(archs)
	}
	return out
}
