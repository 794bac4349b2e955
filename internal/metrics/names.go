package metrics

// The metrics the functions write, by name. The Terraform module's dashboard
// and alarm name them too; a test keeps the two in step.
const (
	// Wake.
	WakesStarted        = "WakesStarted"
	WakeSeconds         = "WakeSeconds"
	WakesFailed         = "WakesFailed"
	VisitorsWhileWaking = "VisitorsWhileWaking"
	// Auto-Sleep.
	ServicesSlept     = "ServicesSlept"
	TasksAwake        = "TasksAwake"
	EvaluationSeconds = "EvaluationSeconds"
	// Both.
	ThrottledCalls = "ThrottledCalls"
)

// Dimension names.
const (
	DimService  = "Service"
	DimCluster  = "Cluster"
	DimRule     = "Rule"
	DimFunction = "Function"
)

// Property names: searchable in CloudWatch Logs Insights, not dimensions, so
// they add no metric (and no cost).
const (
	PropFailureClass = "FailureClass"
	PropOperation    = "Operation"
)

// Names lists every metric the functions write.
var Names = []string{WakesStarted, WakeSeconds, WakesFailed, VisitorsWhileWaking, ServicesSlept, TasksAwake, EvaluationSeconds, ThrottledCalls}

// Service is the dimensions of a metric about one service.
func Service(cluster, service string) []Dim {
	return []Dim{{DimService, service}, {DimCluster, cluster}}
}

// ServiceSet is the dimension set of a metric about one service.
var ServiceSet = []string{DimService, DimCluster}

// FunctionSet is the dimension set of a metric about a whole function.
var FunctionSet = []string{DimFunction}

// RuleOperator is the rule of a sleep an operator ordered (a direct invocation).
const RuleOperator = "operator request"

// Slept is the record of a service put to sleep: one ServicesSlept by service,
// and one by the rule that decided, for the dashboard's sleeps by rule (a
// handful of rules: a handful of metrics, whatever the number of services).
func Slept(cluster, service, rule string) Record {
	one := []Metric{{ServicesSlept, Count, 1}}
	return Record{
		Dims:       append(Service(cluster, service), Dim{DimRule, rule}),
		Directives: []Directive{{Sets: [][]string{ServiceSet}, Metrics: one}, {Sets: [][]string{{DimRule}}, Metrics: one}},
	}
}
