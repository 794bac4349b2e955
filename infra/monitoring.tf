# The functions' metrics (written as Embedded Metric Format log lines: no API
# call, no IAM permission), an optional dashboard and an optional alarm on
# failed wakes. The metric names are the functions' own (internal/metrics); a
# test keeps the two in step.

locals {
  metrics_on = var.metrics_namespace != ""
  # Written only when not the functions' default, to spare Lambda's 4 KB of environment.
  metrics_environment = !local.metrics_on ? { METRICS = "off" } : var.metrics_namespace == "ScaleToZero" ? {} : { METRICS_NAMESPACE = var.metrics_namespace }

  # SEARCH finds every service's metric, so a service added later appears
  # without another apply. A schema of exactly Cluster and Service leaves out
  # the by-function and by-rule copies of the same metrics.
  # https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html
  by_service    = "{\"${var.metrics_namespace}\",Cluster,Service}"
  by_function   = "{\"${var.metrics_namespace}\",Function}"
  service_label = "$${PROP('Dim.Service')}"

  # One graph: title, position, and its SEARCH expressions as [id, schema, metric, statistic, period, label].
  dashboard_widgets = [
    { title = "Wake time (seconds, p50 and max per service)", x = 0, y = 0, w = 12, stacked = false, searches = [
      ["p50", local.by_service, "WakeSeconds", "p50", 3600, "p50 ${local.service_label}"],
      ["max", local.by_service, "WakeSeconds", "Maximum", 3600, "max ${local.service_label}"],
    ] },
    { title = "Wakes per service", x = 12, y = 0, w = 12, stacked = true, searches = [
      ["wakes", local.by_service, "WakesStarted", "Sum", 3600, local.service_label],
    ] },
    { title = "Failed wakes per service (the log line's FailureClass says why)", x = 0, y = 6, w = 12, stacked = true, searches = [
      ["failed", local.by_service, "WakesFailed", "Sum", 3600, local.service_label],
    ] },
    { title = "Sleeps by rule", x = 12, y = 6, w = 12, stacked = true, searches = [
      ["slept", "{\"${var.metrics_namespace}\",Rule}", "ServicesSlept", "Sum", 3600, "$${PROP('Dim.Rule')}"],
    ] },
    { title = "Tasks awake per service", x = 0, y = 12, w = 24, stacked = true, searches = [
      ["tasks", local.by_service, "TasksAwake", "Average", 300, local.service_label],
    ] },
    { title = "Visitors served while waking", x = 0, y = 18, w = 8, stacked = true, searches = [
      ["visitors", local.by_service, "VisitorsWhileWaking", "Sum", 300, local.service_label],
    ] },
    { title = "AWS calls throttled", x = 8, y = 18, w = 8, stacked = true, searches = [
      ["throttled", local.by_function, "ThrottledCalls", "Sum", 300, "$${PROP('Dim.Function')}"],
    ] },
    { title = "Auto-Sleep: evaluation time (seconds)", x = 16, y = 18, w = 8, stacked = false, searches = [
      ["evaluation", local.by_function, "EvaluationSeconds", "Maximum", 300, "max"],
    ] },
  ]

  dashboard_body = jsonencode({
    widgets = [for g in local.dashboard_widgets : {
      type   = "metric"
      x      = g.x
      y      = g.y
      width  = g.w
      height = 6
      properties = {
        title   = g.title
        region  = local.region
        view    = "timeSeries"
        stacked = g.stacked
        metrics = [for s in g.searches : [{
          id         = s[0]
          expression = "SEARCH('${s[1]} MetricName=\"${s[2]}\"', '${s[3]}', ${s[4]})"
          label      = s[5]
        }]]
      }
    }]
  })
}

# A dashboard costs $3 a month beyond the account's first 3 (CloudWatch
# pricing): more than a sleeping service, so it is asked for, not given.
# https://aws.amazon.com/cloudwatch/pricing/
resource "aws_cloudwatch_dashboard" "metrics" {
  count = var.dashboard ? 1 : 0

  dashboard_name = var.name
  dashboard_body = local.dashboard_body
}

# Any failed wake, all services together (the metric's by-function copy):
# one alarm, whatever the number of services. A service that sleeps writes
# nothing, and missing data is not breaching, so it never alarms.
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
resource "aws_cloudwatch_metric_alarm" "failed_wakes" {
  count = var.alarm_sns_topic_arn != "" ? 1 : 0

  alarm_name          = "${var.name}-failed-wakes"
  alarm_description   = "A wake failed: visitors saw the failure page. The functions' log lines with WakesFailed give the service and the FailureClass (image-pull, health-check, capacity, timeout, other)."
  namespace           = var.metrics_namespace
  metric_name         = "WakesFailed"
  dimensions          = { Function = "wake" }
  statistic           = "Sum"
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  threshold           = var.alarm_failed_wakes
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_sns_topic_arn]
  ok_actions          = [var.alarm_sns_topic_arn]
  tags                = var.tags
}
