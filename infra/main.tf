data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region    = data.aws_region.current.name
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition

  # The services as the functions read them, without the settings left out
  # (null in the typed list): a default-only entry stays {"name":"…"}, and
  # the list stays inside Lambda's 4 KB of environment as long as it can.
  services_list = [for s in var.services : merge(
    { for k, v in s : k => v if v != null && k != "metric" && k != "dependsOn" },
    s.metric == null ? {} : { metric = { for k, v in s.metric : k => v if v != null } },
    s.dependsOn == null ? {} : { dependsOn = [for d in s.dependsOn : { for k, v in d : k => v if v != null }] },
  )]
  services_json = length(var.services) > 0 ? jsonencode(local.services_list) : ""

  # The databases the services depend on, each once; RDS keeps identifiers in lowercase.
  dependencies     = length(var.services) > 0 ? flatten([for s in var.services : s.dependsOn == null ? [] : s.dependsOn]) : var.service_depends_on
  db_instance_ids  = distinct([for d in local.dependencies : lower(d.rdsInstance) if d.rdsInstance != null])
  db_cluster_ids   = distinct([for d in local.dependencies : lower(d.auroraCluster) if d.auroraCluster != null])
  service_clusters = length(var.services) > 0 ? distinct([for s in var.services : coalesce(s.cluster, var.cluster_name)]) : [var.cluster_name]

  # The list itself, or where the functions read it: an environment pinned to
  # the object's version reads the list it was deployed with, even while the
  # next apply writes a new one.
  services_environment = local.services_in_s3 ? {
    SERVICES_S3         = "s3://${aws_s3_object.services[0].bucket}/${aws_s3_object.services[0].key}"
    SERVICES_S3_VERSION = aws_s3_object.services[0].version_id
    } : {
    SERVICES = local.services_json
  }

  environment = merge(
    length(var.services) > 0 ? merge(local.services_environment, { CLUSTER_NAME = var.cluster_name }) : {
      CLUSTER_NAME        = var.cluster_name
      SERVICE_NAME        = var.service_name
      APP_PORT            = tostring(var.app_port)
      HEALTH_PATH         = var.health_path
      ADDRESS_MODE        = var.address_mode
      APP_URL             = var.app_url
      SLEEP_AFTER_MINUTES = tostring(var.sleep_after_minutes)
      IDLE_SIGNAL         = var.idle_signal
      IDLE_THRESHOLD      = var.idle_threshold == null ? "" : tostring(var.idle_threshold)
      TARGET_GROUP        = var.target_group
      LOAD_BALANCER       = var.load_balancer
      COUNT_CONNECTIONS   = tostring(var.count_connections)
      DEPENDS_ON          = join(",", [for d in var.service_depends_on : d.rdsInstance != null ? "rdsInstance:${d.rdsInstance}" : "auroraCluster:${d.auroraCluster}"])
    },
    local.metrics_environment,
    var.extra_environment,
  )
}

check "one_service_or_a_list" {
  assert {
    condition     = var.service_name != "" || length(var.services) > 0
    error_message = "Set service_name (one service) or services (a list)."
  }
}
