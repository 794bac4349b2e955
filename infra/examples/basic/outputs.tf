output "wake_url" {
  description = "Open this URL: it wakes the service and sends you to it."
  value       = module.scale_to_zero.wake_url
}

output "wake_function_name" {
  description = "Name of the Wake function, for aws lambda invoke."
  value       = module.scale_to_zero.wake_function_name
}

output "autosleep_function_name" {
  description = "Name of the Auto-Sleep function, for aws lambda invoke."
  value       = module.scale_to_zero.autosleep_function_name
}

output "wake_role_arn" {
  description = "ARN of the Wake function's role."
  value       = module.scale_to_zero.wake_role_arn
}

output "autosleep_role_arn" {
  description = "ARN of the Auto-Sleep function's role."
  value       = module.scale_to_zero.autosleep_role_arn
}

output "dashboard_name" {
  description = "The CloudWatch dashboard of the metrics, when dashboard is on."
  value       = module.scale_to_zero.dashboard_name
}

output "failed_wakes_alarm_arn" {
  description = "The alarm on failed wakes, when alarm_sns_topic_arn is set."
  value       = module.scale_to_zero.failed_wakes_alarm_arn
}
