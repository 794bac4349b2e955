resource "aws_lambda_function" "wake" {
  function_name    = "${var.name}-wake"
  role             = aws_iam_role.wake.arn
  filename         = "${var.package_dir}/wake.zip"
  source_code_hash = filebase64sha256("${var.package_dir}/wake.zip")
  handler          = "bootstrap"
  runtime          = "provided.al2023"
  architectures    = ["arm64"]
  memory_size      = var.memory_mb
  timeout          = var.wake_timeout_seconds

  environment {
    variables = { for k, v in local.environment : k => v if v != "" }
  }

  tracing_config {
    mode = var.enable_tracing ? "Active" : "PassThrough"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.wake.name
  }

  tags       = var.tags
  depends_on = [aws_iam_role_policy.wake]
}

resource "aws_lambda_function" "autosleep" {
  function_name    = "${var.name}-autosleep"
  role             = aws_iam_role.autosleep.arn
  filename         = "${var.package_dir}/autosleep.zip"
  source_code_hash = filebase64sha256("${var.package_dir}/autosleep.zip")
  handler          = "bootstrap"
  runtime          = "provided.al2023"
  architectures    = ["arm64"]
  memory_size      = var.memory_mb
  timeout          = var.autosleep_timeout_seconds

  environment {
    variables = { for k, v in local.environment : k => v if v != "" }
  }

  tracing_config {
    mode = var.enable_tracing ? "Active" : "PassThrough"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.autosleep.name
  }

  tags       = var.tags
  depends_on = [aws_iam_role_policy.autosleep]
}

resource "aws_cloudwatch_log_group" "wake" {
  name              = "/aws/lambda/${var.name}-wake"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_cloudwatch_log_group" "autosleep" {
  name              = "/aws/lambda/${var.name}-autosleep"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}
