# Puts one existing Fargate service behind the wake URL and to sleep when idle.
#   make package
#   cd infra/examples/basic && terraform init && terraform apply \
#     -var cluster_name=prod -var service_name=web -var app_port=8080
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.60, < 7.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  description = "AWS region of the ECS service."
  type        = string
  default     = "us-east-1"
}

variable "cluster_name" {
  description = "ECS cluster of the service."
  type        = string
}

variable "service_name" {
  description = "ECS service to wake and put to sleep."
  type        = string
}

variable "app_port" {
  description = "Port the app listens on."
  type        = number
  default     = 80
}

variable "package_dir" {
  description = "Folder with the zips from make package; empty: the repository's build/lambda."
  type        = string
  default     = ""
}

variable "enable_tracing" {
  description = "X-Ray tracing for both functions."
  type        = bool
  default     = false
}

variable "health_path" {
  description = "Health path of the app, or empty for a TCP check."
  type        = string
  default     = ""
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
}

output "wake_url" {
  description = "Open this URL: it wakes the service and sends you to it."
  value       = module.scale_to_zero.wake_url
}

output "function_names" {
  description = "For aws lambda invoke."
  value       = [module.scale_to_zero.wake_function_name, module.scale_to_zero.autosleep_function_name]
}
