# One role per function, granting exactly the AWS calls its code makes (a
# test derives them from the Go code and compares), scoped to the managed
# cluster(s) and services wherever AWS supports resource-level permissions.

locals {
  service_arns = length(var.services) > 0 ? [
    for s in var.services : "arn:${local.partition}:ecs:${local.region}:${local.account}:service/${try(s.cluster, var.cluster_name)}/${s.name}"
  ] : ["arn:${local.partition}:ecs:${local.region}:${local.account}:service/${var.cluster_name}/${var.service_name}"]
  cluster_arns = [for c in local.service_clusters : "arn:${local.partition}:ecs:${local.region}:${local.account}:cluster/${c}"]
  task_arns    = [for c in local.service_clusters : "arn:${local.partition}:ecs:${local.region}:${local.account}:task/${c}/*"]
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "wake" {
  name               = "${var.name}-wake"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_iam_role" "autosleep" {
  name               = "${var.name}-autosleep"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "wake" {
  statement {
    sid       = "ReadAndScaleTheServices"
    actions   = ["ecs:DescribeServices", "ecs:UpdateService", "ecs:TagResource"]
    resources = local.service_arns
  }
  statement {
    sid       = "ListTheirTasks"
    actions   = ["ecs:ListTasks"]
    resources = ["*"]
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = local.cluster_arns
    }
  }
  statement {
    sid       = "DescribeTheirTasks"
    actions   = ["ecs:DescribeTasks"]
    resources = local.task_arns
  }
  statement {
    # DescribeNetworkInterfaces supports no resource-level permissions.
    sid       = "ReadTaskPublicIPs"
    actions   = ["ec2:DescribeNetworkInterfaces"]
    resources = ["*"]
  }
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.wake.arn}:*"]
  }
  dynamic "statement" {
    for_each = var.enable_tracing ? [1] : []
    content {
      sid       = "Tracing"
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"]
    }
  }
}

data "aws_iam_policy_document" "autosleep" {
  statement {
    sid       = "ReadAndSleepTheServices"
    actions   = ["ecs:DescribeServices", "ecs:UpdateService", "ecs:TagResource"]
    resources = local.service_arns
  }
  statement {
    sid       = "ListTheirTasks"
    actions   = ["ecs:ListTasks"]
    resources = ["*"]
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = local.cluster_arns
    }
  }
  statement {
    sid       = "DescribeTheirTasks"
    actions   = ["ecs:DescribeTasks"]
    resources = local.task_arns
  }
  statement {
    # GetMetricData supports no resource-level permissions.
    sid       = "ReadIdleSignals"
    actions   = ["cloudwatch:GetMetricData"]
    resources = ["*"]
  }
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.autosleep.arn}:*"]
  }
  dynamic "statement" {
    for_each = var.enable_tracing ? [1] : []
    content {
      sid       = "Tracing"
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "wake" {
  name   = "${var.name}-wake"
  role   = aws_iam_role.wake.id
  policy = data.aws_iam_policy_document.wake.json
}

resource "aws_iam_role_policy" "autosleep" {
  name   = "${var.name}-autosleep"
  role   = aws_iam_role.autosleep.id
  policy = data.aws_iam_policy_document.autosleep.json
}
