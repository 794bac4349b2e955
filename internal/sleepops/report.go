package sleepops

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice/taskdef"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/invoke"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ledger"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/pricing"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/savings"
)

// Reporter makes the savings report of services.
type Reporter interface {
	Report(ctx context.Context, services []config.Service) savings.Report
}

var _ Reporter = (*Savings)(nil)

// ServiceReader reads up to ecsservice.DescribeServicesBatch services of one
// cluster in one call, tags included.
type ServiceReader interface {
	DescribeBatch(ctx context.Context, cluster string, names []string) (map[string]*ecsservice.Service, error)
}

var _ ServiceReader = (*ecsservice.Client)(nil)

// SizeReader reads a task definition's task size.
type SizeReader interface {
	Size(ctx context.Context, arn string) (taskdef.Size, error)
}

var _ SizeReader = (*taskdef.Reader)(nil)

// Savings gathers what the report needs with the fewest calls: one
// DescribeServices per 10 services of a cluster (placement, network, tags and
// the history tag come with it), one DescribeTaskDefinition per task
// definition; the rest is arithmetic (package savings).
type Savings struct {
	Services ServiceReader
	Sizes    SizeReader
	Prices   pricing.Table
	// Region is where the services run: it picks the prices.
	Region string
	Now    func() time.Time
	// History reads the history tag; nil is ledger.History.
	History func(value string, now time.Time, n int, state ledger.Now) ([]ledger.Day, error)
	// Databases reads the databases the services depend on, each once; nil
	// when none is configured.
	Databases DatabaseReader
	// Configured are all the services: a database's hours count every
	// service that depends on it, in the report or not. Nil: those reported.
	Configured config.Services
}

// report answers {"action":"report"}, for every service or the one named.
func (o Ops) report(ctx context.Context, cmd invoke.Command) (any, error) {
	if cmd.DryRun != nil {
		return nil, invoke.Errorf(invoke.InvalidRequest, "dryRun", "report takes no dryRun: it never changes anything")
	}
	if o.Savings == nil {
		return nil, invoke.Errorf(invoke.UnknownAction, "action", "report is not available in this build")
	}
	services := []config.Service(o.Services)
	if cmd.Service != "" {
		svc, err := o.service(cmd)
		if err != nil {
			return nil, err
		}
		services = []config.Service{svc}
	}
	return o.Savings.Report(ctx, services), nil
}

// Report reads the services and prices them. What cannot be read is said in
// the service's notes, never an error: the rest of the report still holds.
func (s *Savings) Report(ctx context.Context, services []config.Service) savings.Report {
	now := s.Now()
	dbs, others := s.databasesOf(services)
	// The other services that share a database are read in the same calls.
	read := s.describe(ctx, append(slices.Clip(services), others...))
	facts := make([]savings.Facts, 0, len(services))
	histories := make(map[string][]ledger.Day, len(services)+len(others))
	for _, svc := range services {
		f := s.facts(ctx, svc, read[svc.ID()], now)
		facts = append(facts, f)
		histories[svc.ID()] = f.Days
	}
	for _, svc := range others {
		histories[svc.ID()], _ = s.history(read[svc.ID()], now)
	}
	return savings.Build(facts, s.Prices, s.Region, now, s.databaseFacts(ctx, dbs, histories)...)
}

// reading is one service as DescribeServices gave it, or why not.
type reading struct {
	service *ecsservice.Service
	err     error
}

// describe reads the services, cluster by cluster, 10 a call.
func (s *Savings) describe(ctx context.Context, services []config.Service) map[string]reading {
	byCluster := map[string][]string{}
	var clusters []string
	for _, svc := range services {
		if _, ok := byCluster[svc.Cluster]; !ok {
			clusters = append(clusters, svc.Cluster)
		}
		byCluster[svc.Cluster] = append(byCluster[svc.Cluster], svc.Name)
	}
	out := make(map[string]reading, len(services))
	for _, cluster := range clusters {
		names := byCluster[cluster]
		for start := 0; start < len(names); start += ecsservice.DescribeServicesBatch {
			batch := names[start:min(start+ecsservice.DescribeServicesBatch, len(names))]
			found, err := s.Services.DescribeBatch(ctx, cluster, batch)
			for _, name := range batch {
				id := cluster + "/" + name
				switch {
				case err != nil:
					out[id] = reading{err: err}
				case found[name] == nil:
					out[id] = reading{err: fmt.Errorf("describe service %s: %w", id, ecsservice.ErrServiceNotFound)}
				default:
					out[id] = reading{service: found[name]}
				}
			}
		}
	}
	return out
}

// facts are what the report knows of one service.
func (s *Savings) facts(ctx context.Context, cfg config.Service, r reading, now time.Time) savings.Facts {
	f := savings.Facts{Service: cfg.Name, Cluster: cfg.Cluster}
	if r.err != nil {
		f.Notes = append(f.Notes, "not read from ECS: "+r.err.Error())
		return f
	}
	svc := r.service
	f.TaskDefinition, f.PublicIP, f.Awake = svc.TaskDefinition, svc.AssignPublicIP, svc.DesiredCount > 0
	f.Tasks = int(max(cfg.WakeCount, svc.SleptFrom, svc.DesiredCount, 1))
	if shares, err := savings.Place(strategy(svc), svc.LaunchType, f.Tasks); err != nil {
		f.Notes = append(f.Notes, err.Error())
	} else {
		f.Shares, f.CapacityProvider = shares, savings.Providers(shares)
	}
	if size, err := s.Sizes.Size(ctx, svc.TaskDefinition); err != nil {
		f.Notes = append(f.Notes, "task size unknown: "+err.Error())
	} else {
		f.Size = &savings.Size{VCPU: size.VCPU, MemoryGB: size.MemoryGB, Architecture: size.Architecture, OS: size.OS}
	}
	days, err := s.history(r, now)
	if err != nil {
		f.Notes = append(f.Notes, "history unreadable, its days unknown: "+err.Error())
	} else {
		f.Days = days
	}
	return f
}

// history is a service's days from its history tag; an error when it, or
// the service, could not be read.
func (s *Savings) history(r reading, now time.Time) ([]ledger.Day, error) {
	if r.err != nil {
		return nil, r.err
	}
	history := s.History
	if history == nil {
		history = ledger.History
	}
	return history(r.service.Tags[ledger.Tag], now, ledger.Days, r.service.LedgerNow())
}

func strategy(svc *ecsservice.Service) []savings.Strategy {
	out := make([]savings.Strategy, 0, len(svc.CapacityProviders))
	for _, c := range svc.CapacityProviders {
		p := ""
		if c.CapacityProvider != nil {
			p = *c.CapacityProvider
		}
		out = append(out, savings.Strategy{Provider: p, Base: int(c.Base), Weight: int(c.Weight)})
	}
	return out
}
