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
