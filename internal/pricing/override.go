package pricing

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/strictjson"
)

// Override is the operator's prices (PRICES), as JSON:
//
//	{"regions": {"eu-south-1": {"FARGATE": {"X86_64": {"vcpuHour": 0.04456, "gbHour": 0.00489}},
//	                            "FARGATE_SPOT": {"X86_64": {"vcpuHour": 0.0141, "gbHour": 0.00155}}}},
//	 "publicIpv4Hour": 0.005,
//	 "databases": {"eu-south-1": {"postgres": {"db.t4g.micro": 0.018}}}}
//
// The keys are ECS's own names for capacity providers and architectures, and
// RDS's for engines and DB instance classes (a database's price is its
// Single-AZ price an hour).
type Override struct {
	Regions        map[string]Rates         `json:"regions"`
	PublicIPv4Hour *float64                 `json:"publicIpv4Hour"`
	Databases      map[string]DatabaseRates `json:"databases"`
}

// overrideJSON is PRICES as written, where a price left out is told apart from 0.
type overrideJSON struct {
	Regions        map[string]map[string]map[string]rateJSON `json:"regions"`
	PublicIPv4Hour *float64                                  `json:"publicIpv4Hour"`
	Databases      map[string]map[string]map[string]*float64 `json:"databases"`
}

type rateJSON struct {
	VCPUHour *float64 `json:"vcpuHour"`
	GBHour   *float64 `json:"gbHour"`
}

func (o Override) empty() bool {
	return len(o.Regions) == 0 && o.PublicIPv4Hour == nil && len(o.Databases) == 0
}

// regionName is how AWS names a Region: us-east-1, ap-southeast-4, us-gov-west-1.
// https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
var regionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// maxHourly is far above any Fargate price (a vCPU-hour costs cents): a
// figure above it is a mistake, such as a monthly price.
const maxHourly = 10.0

// ParseOverride reads PRICES, refusing what it cannot price with: an unknown
// field, a Region name AWS would not use, a capacity provider other than
// FARGATE and FARGATE_SPOT, an architecture other than X86_64 and ARM64, a
// price that is negative, not a number, or above $10 an hour; for databases,
// an engine RDS does not name, a class that is not a DB instance class, a
// price above $150 an hour.
func ParseOverride(s string) (Override, error) {
	var in overrideJSON
	if err := strictjson.Decode([]byte(s), &in); err != nil {
		return Override{}, fmt.Errorf("not the prices JSON ({\"regions\": {\"REGION\": {\"FARGATE\": {\"X86_64\": {\"vcpuHour\": N, \"gbHour\": N}}}}, \"publicIpv4Hour\": N, \"databases\": {\"REGION\": {\"ENGINE\": {\"CLASS\": N}}}}): %w", err)
	}
	o := Override{PublicIPv4Hour: in.PublicIPv4Hour}
	if len(in.Regions) == 0 && in.PublicIPv4Hour == nil && len(in.Databases) == 0 {
		return Override{}, fmt.Errorf("gives no price: set regions, publicIpv4Hour or databases")
	}
	for _, region := range sortedKeys(in.Regions) {
		rates, err := checkRegion(region, in.Regions[region])
		if err != nil {
			return Override{}, err
		}
		if o.Regions == nil {
			o.Regions = map[string]Rates{}
		}
		o.Regions[region] = rates
	}
	if o.PublicIPv4Hour != nil {
		if err := checkPrice("publicIpv4Hour", o.PublicIPv4Hour); err != nil {
			return Override{}, err
		}
	}
	if len(in.Databases) > 0 {
		dbs, err := checkDatabases(in.Databases)
		if err != nil {
			return Override{}, err
		}
		o.Databases = dbs
	}
	return o, nil
}

func checkRegion(region string, given map[string]map[string]rateJSON) (Rates, error) {
	if !regionName.MatchString(region) {
		return nil, fmt.Errorf("regions: %q is not a Region name such as us-east-1", region)
	}
	if len(given) == 0 {
		return nil, fmt.Errorf("regions.%s: gives no price", region)
	}
	rates := Rates{}
	for _, provider := range sortedKeys(given) {
		if provider != Fargate && provider != FargateSpot {
			return nil, fmt.Errorf("regions.%s: %q is not a Fargate capacity provider: use FARGATE or FARGATE_SPOT", region, provider)
		}
		archs := given[provider]
		if len(archs) == 0 {
			return nil, fmt.Errorf("regions.%s.%s: gives no price", region, provider)
		}
		rates[provider] = map[string]Rate{}
		for _, arch := range sortedKeys(archs) {
			at := strings.Join([]string{"regions", region, provider, arch}, ".")
			switch {
			case arch != X86_64 && arch != ARM64:
				return nil, fmt.Errorf("%s: %q is not an architecture: use X86_64 or ARM64", at, arch)
			case provider == FargateSpot && arch == ARM64:
				return nil, fmt.Errorf("%s: Fargate Spot runs X86_64 tasks only", at)
			}
			r := archs[arch]
			if err := checkPrice(at+".vcpuHour", r.VCPUHour); err != nil {
				return nil, err
			}
			if err := checkPrice(at+".gbHour", r.GBHour); err != nil {
				return nil, err
			}
			rates[provider][arch] = Rate{VCPUHour: *r.VCPUHour, GBHour: *r.GBHour}
		}
	}
	return rates, nil
}

func checkPrice(at string, v *float64) error {
	if v == nil {
		return fmt.Errorf("%s: missing (each rate gives vcpuHour and gbHour)", at)
	}
	// Written so that NaN, which fails every comparison, is refused too.
	if !(*v >= 0 && *v <= maxHourly) {
		return fmt.Errorf("%s: %v is not a price in dollars an hour between 0 and %v", at, *v, maxHourly)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
