# One role per function, granting exactly the AWS calls its code makes (a
# test derives them from the Go code and compares), scoped to the managed
# cluster(s) and services wherever AWS supports resource-level permissions.

locals {
  service_arns = var.iam_service_scope == "clusters" ? [
    for c in local.service_clusters : "arn:${local.partition}:ecs:${local.region}:${local.account}:service/${c}/*"
    ] : length(var.services) > 0 ? [
    for s in var.services : "arn:${local.partition}:ecs:${local.region}:${local.account}:service/${coalesce(s.cluster, var.cluster_name)}/${s.name}"
  ] : ["arn:${local.partition}:ecs:${local.region}:${local.account}:service/${var.cluster_name}/${var.service_name}"]
  cluster_arns = [for c in local.service_clusters : "arn:${local.partition}:ecs:${local.region}:${local.account}:cluster/${c}"]
  task_arns    = [for c in local.service_clusters : "arn:${local.partition}:ecs:${local.region}:${local.account}:task/${c}/*"]

  # The databases, by the ARNs RDS authorizes their actions on: every action
  # used here takes the db (instances) or cluster resource type, the Describe
  # ones too when they name one identifier, as the functions do.
  # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
  db_instance_arns = [for id in local.db_instance_ids : "arn:${local.partition}:rds:${local.region}:${local.account}:db:${id}"]
  db_cluster_arns  = [for id in local.db_cluster_ids : "arn:${local.partition}:rds:${local.region}:${local.account}:cluster:${id}"]
  # Wake starts databases; Auto-Sleep stops them. Both read them.
  database_verbs = { wake = "Start", autosleep = "Stop" }

  # A role's policy without its service ARNs is at most 1,024 characters with
  # every optional statement (VPC, tracing, the list in S3), and each cluster
  # adds two ARNs; each database statement about 150 more than its ARNs. The
  # infra test logs the measured figures.
  policy_chars = length(jsonencode(local.service_arns)) + 1024 + 2 * length(jsonencode(local.cluster_arns)) + length(jsonencode(concat(local.db_instance_arns, local.db_cluster_arns))) + 300
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

# What both functions do with ECS: read the services and their tasks, scale and tag the services.
data "aws_iam_policy_document" "ecs" {
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
}

data "aws_iam_policy_document" "function" {
  for_each                = local.functions
  source_policy_documents = [data.aws_iam_policy_document.ecs.json]

  statement {
    sid       = "OwnCalls"
    actions   = each.value.own_actions
    resources = ["*"]
  }
  # What Lambda itself needs to attach a function to a VPC (the AWSLambdaVPCAccessExecutionRole
  # actions; they support no resource-level permissions).
  # https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
  dynamic "statement" {
    for_each = each.key == "wake" && length(var.wake_subnet_ids) > 0 ? [1] : []
    content {
      sid = "AttachToTheVPC"
      actions = [
        "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
      ]
      resources = ["*"]
    }
  }
  # The services list, when it is kept in S3: reading a pinned version is
  # s3:GetObjectVersion. https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
  dynamic "statement" {
    for_each = local.services_in_s3 ? [1] : []
    content {
      sid       = "ReadTheServicesList"
      actions   = ["s3:GetObject", "s3:GetObjectVersion"]
      resources = ["${aws_s3_bucket.config[0].arn}/${aws_s3_object.services[0].key}"]
    }
  }
  dynamic "statement" {
    for_each = length(local.db_instance_arns) > 0 ? [1] : []
    content {
      sid       = "${local.database_verbs[each.key]}TheirDBInstances"
      actions   = ["rds:DescribeDBInstances", "rds:${local.database_verbs[each.key]}DBInstance"]
      resources = local.db_instance_arns
    }
  }
  dynamic "statement" {
    for_each = length(local.db_cluster_arns) > 0 ? [1] : []
    content {
      sid       = "${local.database_verbs[each.key]}TheirDBClusters"
      actions   = ["rds:DescribeDBClusters", "rds:${local.database_verbs[each.key]}DBCluster"]
      resources = local.db_cluster_arns
    }
  }
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function[each.key].arn}:*"]
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

resource "aws_iam_role" "function" {
  for_each           = local.functions
  name               = "${var.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags

  lifecycle {
    # IAM allows 10,240 characters of inline policy per role, white space not
    # counted; the policy itself is known only at apply (it names the log
    # group), so the plan checks the part that grows with the services.
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    precondition {
      condition     = local.policy_chars <= 10240
      error_message = "The roles' policy would be about ${local.policy_chars} characters, over IAM's 10,240 for a role's inline policies: it names each of the ${length(local.service_arns)} services. Set iam_service_scope = \"clusters\" to grant on the clusters' services instead (service/CLUSTER/*)."
    }
  }
}

resource "aws_iam_role_policy" "function" {
  for_each = local.functions
  name     = "${var.name}-${each.key}"
  role     = aws_iam_role.function[each.key].id
  policy   = data.aws_iam_policy_document.function[each.key].json
}
