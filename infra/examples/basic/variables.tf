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

variable "health_path" {
  description = "Health path of the app, or empty for a TCP check."
  type        = string
  default     = ""
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

variable "dashboard" {
  description = "A CloudWatch dashboard of the functions' metrics ($3 a month beyond the account's first 3 dashboards)."
  type        = bool
  default     = false
}

variable "alarm_sns_topic_arn" {
  description = "SNS topic to notify when wakes fail; empty: no alarm."
  type        = string
  default     = ""
}

variable "databases" {
  description = "The service's databases, each {rdsInstance = \"ID\"} or {auroraCluster = \"ID\"}, such as [{rdsInstance = \"shop-db\"}]: started before the service wakes, stopped once it sleeps."
  type = list(object({
    rdsInstance   = optional(string)
    auroraCluster = optional(string)
  }))
  default = []
}
