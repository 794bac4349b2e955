# Puts one existing Fargate service behind the wake URL, and to sleep when idle.

provider "aws" {
  region = var.region
}

module "scale_to_zero" {
  source = "../.."

  package_dir         = var.package_dir != "" ? var.package_dir : "${path.root}/../../../build/lambda"
  cluster_name        = var.cluster_name
  service_name        = var.service_name
  app_port            = var.app_port
  health_path         = var.health_path
  sleep_after_minutes = 15
  enable_tracing      = var.enable_tracing
  dashboard           = var.dashboard
  alarm_sns_topic_arn = var.alarm_sns_topic_arn
  # The service's database (or several): started before it wakes, stopped once it sleeps.
  service_depends_on = var.databases
}
