locals {
  # The two functions differ only in these.
  functions = {
    wake = {
      timeout = var.wake_timeout_seconds
      memory  = coalesce(var.memory_mb, var.wake_memory_mb)
      # The one call that is not ECS: a task's public IP is on its network interface.
      # (DescribeNetworkInterfaces supports no resource-level permissions.)
      own_actions = ["ec2:DescribeNetworkInterfaces"]
      # Environments × reads per environment bounds what Wake asks of ECS.
      reserved = var.wake_reserved_concurrency
    }
    autosleep = {
      timeout = var.autosleep_timeout_seconds
      memory  = coalesce(var.memory_mb, var.autosleep_memory_mb)
      # The idle signals (GetMetricData supports no resource-level permissions), at
      # start-up whether Container Insights is on for the clusters, and for the savings
      # report the tasks' size (DescribeTaskDefinition has no resource type: "*").
      # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
      own_actions = ["cloudwatch:GetMetricData", "ecs:DescribeClusters", "ecs:DescribeTaskDefinition"]
      reserved    = -1 # one run a minute: no reservation taken from the account
    }
  }
  # Only Wake signs tokens and reads ECS for visitors.
  own_environment = {
    wake = {
      TOKEN_KEY          = var.token_key != "" ? var.token_key : replace(terraform_data.token_key[0].output, "-", "")
      OBSERVE_PER_SECOND = tostring(var.wake_reads_per_second)
    }
    autosleep = {
      # The savings report's prices, over the table in the code.
      PRICES = var.prices == null ? "" : jsonencode(var.prices)
    }
  }
  # Each function's environment as Lambda stores it: unset settings left out.
  function_environment = {
    for fn in keys(local.functions) : fn => { for k, v in merge(local.environment, local.own_environment[fn]) : k => v if v != "" }
  }
  # Its size in bytes, as Lambda counts it. length() counts characters, so the
  # bytes are read off the base64 of the UTF-8 (4 characters per 3 bytes,
  # padding aside).
  environment_bytes = {
    for fn, env in local.function_environment : fn => floor(length(trimsuffix(trimsuffix(base64encode(jsonencode(env)), "="), "=")) * 3 / 4)
  }
}

# A key for Wake's status tokens, made once and kept in the state without an
# extra provider: each uuid() carries 122 random bits, and ignore_changes keeps
# the first value instead of a new one at every plan.
resource "terraform_data" "token_key" {
  count = var.token_key == "" ? 1 : 0
  input = "${uuid()}${uuid()}"

  lifecycle {
    ignore_changes = [input]
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
  memory_size      = each.value.memory
  timeout          = each.value.timeout

  reserved_concurrent_executions = each.value.reserved

  environment {
    variables = local.function_environment[each.key]
  }

  tracing_config {
    mode = var.enable_tracing ? "Active" : "PassThrough"
  }

  # Wake in the VPC, for private addresses: only Wake probes the tasks.
  dynamic "vpc_config" {
    for_each = each.key == "wake" && length(var.wake_subnet_ids) > 0 ? [1] : []
    content {
      subnet_ids         = var.wake_subnet_ids
      security_group_ids = var.wake_security_group_ids
    }
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.function[each.key].name
  }

  tags       = var.tags
  depends_on = [aws_iam_role_policy.function]

  lifecycle {
    # Lambda allows 4 KB of environment variables per function, all together, measured
    # as their JSON ("exceeded the 4KB limit. String measured: {...}"): fail the plan,
    # not the apply. The size is derived from the token key, which is sensitive;
    # a byte count tells nothing of it.
    # https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
    precondition {
      condition     = local.environment_bytes[each.key] <= 4096
      error_message = "The ${each.key} function's environment would be ${nonsensitive(local.environment_bytes[each.key])} bytes, over Lambda's 4 KB for all of a function's environment variables: the services list is too long for it. Set services_storage = \"s3\" to keep the list in S3 (any number of services), or leave out settings that have their default."
    }
  }
}

resource "aws_cloudwatch_log_group" "function" {
  for_each = local.functions

  name              = "/aws/lambda/${var.name}-${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn == "" ? null : var.log_kms_key_arn
  tags              = var.tags
}
