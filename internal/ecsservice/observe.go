package ecsservice

import (
	"context"
	"fmt"
	"slices"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Need says which optional parts of an observation to fetch.
type Need struct {
	// Tasks: list and describe the tasks ECS wants running (skipped when desiredCount is 0).
	Tasks bool
	// PublicIPs: look up the public IP of the tasks whose interface is attached.
	PublicIPs bool
	// Stopped: when the service carries a wake time and no task is wanted
	// running, also fetch its stopped tasks, to tell why a wake fails.
	Stopped bool
	// Known are the IDs of the tasks the caller saw wanted running at its last
	// read. While ECS wants as many tasks as that, they are described directly,
	// without listing (a stopped one then tells its reason itself).
	Known []string
}

// Want is one service to read in a batch, and what of it.
type Want struct {
	Name string
	Need Need
}

// Reading is the outcome of a batch for one service.
type Reading struct {
	Service *Service
	Err     error
}

// Observe reads one service: one DescribeServices call with its tags; with
// need.Tasks and desiredCount > 0 its tasks (see ObserveMany).
func (c *Client) Observe(ctx context.Context, cluster, service string, need Need) (*Service, error) {
	out, err := c.ObserveMany(ctx, cluster, []Want{{Name: service, Need: need}})
	if err != nil {
		return nil, err
	}
	r := out[service]
	return r.Service, r.Err
}

// ObserveMany reads up to DescribeServicesBatch services of one cluster
// together, so a throttled API sees one call where it would see many:
//   - one DescribeServices for them all, tags included;
//   - the tasks each service's caller already knows, while ECS wants as many,
//     described in shared DescribeTasks calls, without listing;
//   - for the others, ListTasks (and ListTasks of stopped tasks, when the
//     service carries a wake time and no task is on its way), their tasks
//     described in shared DescribeTasks calls;
//   - one DescribeNetworkInterfaces for the interfaces this client has not seen.
//
// A service ECS does not know gets ErrServiceNotFound in its Reading; an error
// of a shared call is returned for the whole batch.
func (c *Client) ObserveMany(ctx context.Context, cluster string, wants []Want) (map[string]Reading, error) {
	if len(wants) == 0 || len(wants) > DescribeServicesBatch {
		return nil, fmt.Errorf("observe services: %d at once, want 1 to %d", len(wants), DescribeServicesBatch)
	}
	names := make([]string, len(wants))
	for i, w := range wants {
		names[i] = w.Name
	}
	res, err := c.describeServices(ctx, cluster, names)
	if err != nil {
		return nil, err
	}
	known, listing := planTasks(wants, res)
	relist, err := c.readKnownTasks(ctx, cluster, known, res)
	if err != nil {
		return nil, err
	}
	if err := c.readListedTasks(ctx, cluster, append(listing, relist...), res); err != nil {
		return nil, err
	}
	if err := c.readPublicIPs(ctx, wants, res); err != nil {
		return nil, err
	}
	return res, nil
}

// planTasks sorts the services whose tasks are asked for and wanted running:
// those whose caller knows as many tasks as ECS wants are described directly,
// the others listed.
func planTasks(wants []Want, res map[string]Reading) (known, listing []Want) {
	for _, w := range wants {
		s := res[w.Name].Service
		switch {
		case s == nil || !w.Need.Tasks || s.DesiredCount == 0:
		case len(w.Need.Known) > 0 && int(s.DesiredCount) == len(w.Need.Known):
			known = append(known, w)
		default:
			listing = append(listing, w)
		}
	}
	return known, listing
}

// readKnownTasks describes the tasks the callers know, all services together.
// A service keeps them while every one is still wanted running; when one
// stopped or vanished, the service keeps what the stopped ones say and is
// returned, to be listed for their replacements.
func (c *Client) readKnownTasks(ctx context.Context, cluster string, known []Want, res map[string]Reading) ([]Want, error) {
	if len(known) == 0 {
		return nil, nil
	}
	var ids []string
	for _, w := range known {
		ids = append(ids, w.Need.Known...)
	}
	tasks, err := c.describeTasks(ctx, cluster, ids)
	if err != nil {
		return nil, err
	}
	var relist []Want
	for _, w := range known {
		s, mine := res[w.Name].Service, tasks[w.Name]
		if len(mine) == len(w.Need.Known) && !slices.ContainsFunc(mine, stoppedTask) {
			s.Tasks = mine
			continue
		}
		for _, t := range mine {
			if stoppedTask(t) {
				s.Stopped = append(s.Stopped, t)
			}
		}
		relist = append(relist, w)
	}
	return relist, nil
}

// readListedTasks lists the services' tasks one service at a time and
// describes them together. A service whose listing fails gets the error in
// its Reading.
func (c *Client) readListedTasks(ctx context.Context, cluster string, listing []Want, res map[string]Reading) error {
	var arns []string
	for _, w := range listing {
		listed, err := c.listFor(ctx, cluster, w, res[w.Name].Service)
		if err != nil {
			res[w.Name] = Reading{Err: err}
			continue
		}
		arns = append(arns, listed...)
	}
	if len(arns) == 0 {
		return nil
	}
	tasks, err := c.describeTasks(ctx, cluster, arns)
	if err != nil {
		return err
	}
	for _, w := range listing {
		if s := res[w.Name].Service; s != nil {
			s.takeListed(tasks[w.Name])
		}
	}
	return nil
}

// listFor lists the tasks ECS wants running for the service and, when none is
// and the caller asks why a wake failed, its stopped tasks.
func (c *Client) listFor(ctx context.Context, cluster string, w Want, s *Service) ([]string, error) {
	running, err := c.listTasks(ctx, cluster, w.Name, ecstypes.DesiredStatusRunning)
	if err != nil {
		return nil, err
	}
	// Without a wake time, stopped tasks could be from any earlier run: not worth a
	// call, unless the service cannot carry one (a short ARN), when they are the only
	// record of its wake.
	if !w.Need.Stopped || (s.WokenAt == nil && !ShortARN(s.ARN)) || len(running) > 0 || len(s.Stopped) > 0 {
		return running, nil
	}
	stopped, err := c.listTasks(ctx, cluster, w.Name, ecstypes.DesiredStatusStopped)
	if err != nil {
		return nil, err
	}
	return append(running, stopped...), nil
}

// takeListed sets the service's tasks from a listing: those wanted running,
// and the stopped ones its known tasks did not already show.
func (s *Service) takeListed(tasks []Task) {
	s.Tasks = nil
	for _, t := range tasks {
		switch {
		case !stoppedTask(t):
			s.Tasks = append(s.Tasks, t)
		case !slices.ContainsFunc(s.Stopped, func(o Task) bool { return o.ID == t.ID }):
			s.Stopped = append(s.Stopped, t)
		}
	}
}

// readPublicIPs fills the public IPs of the tasks of the services that ask for
// them, all services together.
func (c *Client) readPublicIPs(ctx context.Context, wants []Want, res map[string]Reading) error {
	var tasks []Task
	for _, w := range wants {
		if s := res[w.Name].Service; s != nil && w.Need.PublicIPs {
			tasks = append(tasks, s.Tasks...)
		}
	}
	if len(tasks) == 0 {
		return nil
	}
	if err := c.learnPublicIPs(ctx, tasks); err != nil {
		return err
	}
	for _, w := range wants {
		if s := res[w.Name].Service; s != nil && w.Need.PublicIPs {
			c.applyPublicIPs(s.Tasks)
		}
	}
	return nil
}
