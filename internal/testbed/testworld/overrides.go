package testworld

import "time"

// ServiceOverride is what ECS would report of a service where the emulator
// reports otherwise.
type ServiceOverride struct {
	// RunningCount: ECS counts the tasks in RUNNING; the emulator sets
	// runningCount to desiredCount whatever tasks exist.
	RunningCount *int32
	// Deploying: after UpdateService with a new task definition ECS reports a
	// new PRIMARY deployment with rolloutState IN_PROGRESS beside the ACTIVE
	// one it replaces; the emulator keeps the one deployment it had.
	// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
	Deploying bool
	// ShortARN: the service's ARN in the old format, without the cluster
	// (services created before the account opted in to long ARNs). ECS
	// refuses to tag it; the gate does too.
	ShortARN bool
	// FailedTasks is the primary deployment's count of consecutively failed tasks.
	FailedTasks int32
}

// SetService makes DescribeServices report the service as o says.
func (g *Gate) SetService(service string, o ServiceOverride) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.services == nil {
		g.services = map[string]ServiceOverride{}
	}
	g.services[service] = o
}

// Stop is what ECS reports of a stopped task beyond its stoppedReason: the
// stop code, and each container's reason and exit code. An out-of-memory
// kill, for one, says "Essential container in task exited" in the task's
// stoppedReason and "OutOfMemoryError: Container killed due to memory usage"
// with exit code 137 in the container's reason.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Container.html
type Stop struct {
	StopCode   string // TaskFailedToStart, EssentialContainerExited, SpotInterruption, …
	Containers []StoppedContainer
	// CreatedAt and StoppedAt: ECS reports both for a stopped task; the emulator neither.
	CreatedAt, StoppedAt time.Time
}

// StoppedContainer is one container of a stopped task.
type StoppedContainer struct {
	Name     string
	Reason   string
	ExitCode *int32
}

// SetStop makes DescribeTasks report the stopped task as s says.
func (g *Gate) SetStop(taskARN string, s Stop) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stops == nil {
		g.stops = map[string]Stop{}
	}
	g.stops[taskARN] = s
}
