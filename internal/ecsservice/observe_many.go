package ecsservice

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

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
	what := fmt.Sprintf("%s/%s", cluster, strings.Join(names, ","))
	out, err := c.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{
		Cluster:  aws.String(cluster),
		Services: names,
		Include:  []ecstypes.ServiceField{ecstypes.ServiceFieldTags},
	})
	if err != nil {
		if isCode(err, "ClusterNotFoundException", "ServiceNotFoundException") {
			return nil, fmt.Errorf("describe services %s: %w: %v", what, ErrServiceNotFound, err)
		}
		return nil, fmt.Errorf("describe services %s: %w", what, err)
	}
	found := FromDescribe(out, cluster)
	res := make(map[string]Reading, len(wants))
	var known []string
	var listing []Want
	for _, w := range wants {
		s, ok := found[w.Name]
		if !ok || s.Status == "INACTIVE" {
			res[w.Name] = Reading{Err: fmt.Errorf("describe service %s/%s: %w", cluster, w.Name, ErrServiceNotFound)}
			continue
		}
		res[w.Name] = Reading{Service: s}
		switch {
		case !w.Need.Tasks || s.DesiredCount == 0:
		case len(w.Need.Known) > 0 && int(s.DesiredCount) == len(w.Need.Known):
			known = append(known, w.Need.Known...)
		default:
			listing = append(listing, w)
		}
	}

	// The known tasks, all services together.
	if len(known) > 0 {
		tasks, err := c.describeAll(ctx, cluster, known)
		if err != nil {
			return nil, err
		}
		for _, w := range wants {
			if len(w.Need.Known) == 0 || res[w.Name].Service == nil || !w.Need.Tasks || int(res[w.Name].Service.DesiredCount) != len(w.Need.Known) {
				continue
			}
			s, mine := res[w.Name].Service, tasks[w.Name]
			gone := len(mine) != len(w.Need.Known) || slices.ContainsFunc(mine, stoppedTask)
			if !gone {
				s.Tasks = mine
				continue
			}
			// One stopped or vanished: keep what the stopped ones say, and look for their replacements.
			for _, t := range mine {
				if stoppedTask(t) {
					s.Stopped = append(s.Stopped, t)
				}
			}
			listing = append(listing, w)
		}
	}

	// The others: listed one service at a time, described together.
	var arns []string
	for _, w := range listing {
		s := res[w.Name].Service
		running, err := c.list(ctx, cluster, w.Name, ecstypes.DesiredStatusRunning)
		if err != nil {
			res[w.Name] = Reading{Err: err}
			continue
		}
		arns = append(arns, running...)
		// Without a wake time, stopped tasks could be from any earlier run: not worth a
		// call, unless the service cannot carry one (a short ARN), when they are the only
		// record of its wake.
		if w.Need.Stopped && (s.WokenAt != nil || ShortARN(s.ARN)) && len(running) == 0 && len(s.Stopped) == 0 {
			stopped, err := c.list(ctx, cluster, w.Name, ecstypes.DesiredStatusStopped)
			if err != nil {
				res[w.Name] = Reading{Err: err}
				continue
			}
			arns = append(arns, stopped...)
		}
	}
	if len(arns) > 0 {
		tasks, err := c.describeAll(ctx, cluster, arns)
		if err != nil {
			return nil, err
		}
		for _, w := range listing {
			s := res[w.Name].Service
			if s == nil {
				continue
			}
			s.Tasks = nil
			for _, t := range tasks[w.Name] {
				if stoppedTask(t) {
					if !slices.ContainsFunc(s.Stopped, func(o Task) bool { return o.ID == t.ID }) {
						s.Stopped = append(s.Stopped, t)
					}
				} else {
					s.Tasks = append(s.Tasks, t)
				}
			}
		}
	}

	// Public IPs, all services together.
	var addressed []Task
	for _, w := range wants {
		if s := res[w.Name].Service; s != nil && w.Need.PublicIPs {
			addressed = append(addressed, s.Tasks...)
		}
	}
	if len(addressed) > 0 {
		if err := c.fillPublicIPs(ctx, addressed); err != nil {
			return nil, err
		}
		ips := map[string]string{}
		for _, t := range addressed {
			ips[t.NetworkInterfaceID] = t.PublicIP
		}
		for _, w := range wants {
			if s := res[w.Name].Service; s != nil && w.Need.PublicIPs {
				for i := range s.Tasks {
					s.Tasks[i].PublicIP = ips[s.Tasks[i].NetworkInterfaceID]
				}
			}
		}
	}
	return res, nil
}

func stoppedTask(t Task) bool { return t.DesiredStatus == string(ecstypes.DesiredStatusStopped) }

// describeAll describes tasks (by ID or ARN) in calls of describeTasksBatch and
// returns them by service name, from each task's own group.
func (c *Client) describeAll(ctx context.Context, cluster string, tasks []string) (map[string][]Task, error) {
	out := map[string][]Task{}
	for batch := range slices.Chunk(tasks, describeTasksBatch) {
		res, err := c.ECS.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: batch})
		if err != nil {
			return nil, fmt.Errorf("describe tasks of %s: %w", cluster, err)
		}
		for _, t := range res.Tasks {
			// ListTasks' service filter is not to be trusted everywhere: each task's own group says whose it is.
			service, ok := strings.CutPrefix(aws.ToString(t.Group), "service:")
			if !ok {
				continue
			}
			out[service] = append(out[service], taskOf(t))
		}
		// A task that vanished between two calls shows up in Failures: it is simply not there.
	}
	return out, nil
}
