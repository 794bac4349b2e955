locals {
  # The two functions differ only in these.
  functions = {
    wake = {
      timeout = var.wake_timeout_seconds
      # The one call that is not ECS: a task's public IP is on its network interface.
      # (DescribeNetworkInterfaces supports no resource-level permissions.)
      own_actions = ["ec2:DescribeNetworkInterfaces"]
    }
    autosleep = {
      timeout = var.autosleep_timeout_seconds
      # The idle signals. (GetMetricData supports no resource-level permissions.)
      own_actions = ["cloudwatch:GetMetricData"]
    }
  }
}

resource "aws_lambda_function" "function" {
  for_each = local.functions

  function_name    = "${var.name}-${each.key}"
  role             = aws_iam_role.function[each.key].arn
  filename         = "${var.package_dir}/${each.key}.zip"
  source_code_hash = filebase64sha256("${var.package_dir}/${each.key}.zip")
  handler          = "bootstrap"
  runtime          = "provided.al2023"
  architectures    = ["arm64"]
  memory_size      = var.memory_mb
  timeout          = each.value.timeout

  environment {
    variables = { for k, v in local.environment : k => v if v != "" }
  }

  tracing_config {
    mode = var.enable_tracing ? "Active" : "PassThrough"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.function[each.key].name
  }

  tags       = var.tags
  depends_on = [aws_iam_role_policy.function]
}

resource "aws_cloudwatch_log_group" "function" {
  for_each = local.functions

  name              = "/aws/lambda/${var.name}-${each.key}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}
