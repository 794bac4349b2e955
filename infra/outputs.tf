output "wake_url" {
  description = "The URL visitors open (the custom domain when one is set)."
  value       = var.domain_name != "" ? "https://${var.domain_name}/" : aws_apigatewayv2_stage.default.invoke_url
}

output "wake_function_name" {
  description = "Name of the Wake function, for aws lambda invoke."
  value       = aws_lambda_function.function["wake"].function_name
}

output "autosleep_function_name" {
  description = "Name of the Auto-Sleep function, for aws lambda invoke."
  value       = aws_lambda_function.function["autosleep"].function_name
}

output "wake_role_arn" {
  description = "ARN of the Wake function's role, for policies that must name it (a KMS key's, a VPC endpoint's)."
  value       = aws_iam_role.function["wake"].arn
}

output "autosleep_role_arn" {
  description = "ARN of the Auto-Sleep function's role, for policies that must name it."
  value       = aws_iam_role.function["autosleep"].arn
}

output "api_id" {
  description = "ID of the HTTP API."
  value       = aws_apigatewayv2_api.wake.id
}

output "custom_domain_target" {
  description = "With a custom domain: the target to point its DNS record at."
  value       = var.domain_name != "" ? aws_apigatewayv2_domain_name.wake[0].domain_name_configuration[0].target_domain_name : null
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard of the metrics, when dashboard is on."
  value       = var.dashboard ? aws_cloudwatch_dashboard.metrics[0].dashboard_name : null
}

output "failed_wakes_alarm_arn" {
  description = "ARN of the alarm on failed wakes, when alarm_sns_topic_arn is set."
  value       = var.alarm_sns_topic_arn != "" ? aws_cloudwatch_metric_alarm.failed_wakes[0].arn : null
}
