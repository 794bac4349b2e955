// Package savings is the savings report's arithmetic, pure functions of what
// ECS and the history say: a service's hourly price at its wake count, its
// hours awake and asleep per UTC day, what it cost awake, and what it saved
// against running always at that count; and the report as text for a
// terminal (text.go) and as one HTML page (html.go).
//
// Figures are kept unrounded; only their display rounds them.
package savings

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/pricing"
)

// Size is one task's size, from its task definition.
type Size struct {
	VCPU     float64 `json:"vcpu"`
	MemoryGB float64 `json:"memoryGB"`
	// Architecture is X86_64 or ARM64.
	Architecture string `json:"architecture"`
	// OS is the operating system family: LINUX, or WINDOWS_SERVER_….
	OS string `json:"os"`
}

func (s Size) String() string {
	arch := strings.ToLower(s.Architecture)
	return fmt.Sprintf("%s vCPU %s GB %s", trimFloat(s.VCPU), trimFloat(s.MemoryGB), arch)
}

// Strategy is one entry of a service's capacity provider strategy.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
type Strategy struct {
	Provider string
	Base     int
	Weight   int
}

// Share is how many of the service's tasks run on one capacity provider.
type Share struct {
	Provider string `json:"provider"`
	Tasks    int    `json:"tasks"`
}

// launchTypeFargate is the launch type of a service without a capacity
// provider strategy that runs on Fargate.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html
const launchTypeFargate = "FARGATE"

// ErrNotFargate: the service's tasks do not run on Fargate (an EC2 or
// external launch type, or an EC2 capacity provider), which this report
// does not price.
var ErrNotFargate = errors.New("not on Fargate")

// Place splits n tasks over the service's capacity providers as ECS does: a
// provider's base first (only one provider may have one), the rest by weight.
// Without a strategy, the launch type decides (none is FARGATE, as ECS
// defaults to it). https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-capacity-providers.html
func Place(strategy []Strategy, launchType string, n int) ([]Share, error) {
	if len(strategy) == 0 {
		if launchType != "" && launchType != launchTypeFargate {
			return nil, fmt.Errorf("%w: launch type %s", ErrNotFargate, launchType)
		}
		return []Share{{Provider: pricing.Fargate, Tasks: n}}, nil
	}
	tasks := make([]int, len(strategy))
	left, weights := n, 0
	for i, s := range strategy {
		if s.Provider != pricing.Fargate && s.Provider != pricing.FargateSpot {
			return nil, fmt.Errorf("%w: capacity provider %s", ErrNotFargate, s.Provider)
		}
		base := min(s.Base, left)
		tasks[i] += base
		left -= base
		weights += s.Weight
	}
	if left > 0 && weights > 0 {
		spread(tasks, strategy, left, weights)
	}
	var out []Share
	for i, s := range strategy {
		if tasks[i] > 0 {
			out = append(out, Share{Provider: s.Provider, Tasks: tasks[i]})
		}
	}
	return out, nil
}

// spread adds left tasks by weight: whole shares first, then one each to the
// largest remainders (the heavier weight first on a tie).
func spread(tasks []int, strategy []Strategy, left, weights int) {
	type rest struct{ i, remainder, weight int }
	var rests []rest
	given := 0
	for i, s := range strategy {
		whole := left * s.Weight / weights
		tasks[i] += whole
		given += whole
		rests = append(rests, rest{i, left * s.Weight % weights, s.Weight})
	}
	sort.SliceStable(rests, func(a, b int) bool {
		if rests[a].remainder != rests[b].remainder {
			return rests[a].remainder > rests[b].remainder
		}
		return rests[a].weight > rests[b].weight
	})
	for k := 0; k < left-given; k++ {
		tasks[rests[k].i]++
	}
}

// Providers says where the tasks run: "FARGATE", or "FARGATE 1 + FARGATE_SPOT 3".
func Providers(shares []Share) string {
	if len(shares) == 1 {
		return shares[0].Provider
	}
	parts := make([]string, len(shares))
	for i, s := range shares {
		parts[i] = fmt.Sprintf("%s %d", s.Provider, s.Tasks)
	}
	return strings.Join(parts, " + ")
}

// HourlyPrice is what the service costs an hour while awake: for each
// capacity provider, its tasks × (vCPU × vCPU price + GB × GB price), plus a
// public IPv4 address per task when the service assigns them.
func HourlyPrice(t pricing.Table, region string, size Size, shares []Share, publicIP bool) (float64, error) {
	if size.OS != "" && size.OS != "LINUX" {
		// Windows on Fargate adds a licence fee per vCPU that the table does not hold.
		return 0, fmt.Errorf("%w: %s tasks (the table prices Linux)", pricing.ErrUnknown, size.OS)
	}
	total := 0.0
	for _, s := range shares {
		r, err := t.Rate(region, s.Provider, size.Architecture)
		if err != nil {
			return 0, err
		}
		total += float64(s.Tasks) * (size.VCPU*r.VCPUHour + size.MemoryGB*r.GBHour)
		if publicIP {
			total += float64(s.Tasks) * t.PublicIPv4Hour
		}
	}
	return total, nil
}

func trimFloat(f float64) string {
	s := fmt.Sprintf("%.3f", f)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
