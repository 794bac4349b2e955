variable "name" {
  description = "Prefix of every resource this module creates."
  type        = string
  default     = "scale-to-zero"

  validation {
    condition     = can(regex("^[a-zA-Z0-9-_]{1,40}$", var.name))
    error_message = "name must be 1 to 40 letters, digits, hyphens or underscores."
  }
}

variable "package_dir" {
  description = "Folder with wake.zip and autosleep.zip, as `make package` builds them (build/lambda)."
  type        = string

  validation {
    condition     = fileexists("${var.package_dir}/wake.zip") && fileexists("${var.package_dir}/autosleep.zip")
    error_message = "package_dir must hold wake.zip and autosleep.zip: run make package (it writes build/lambda)."
  }
}

variable "cluster_name" {
  description = "The ECS cluster of the service(s) to manage (used for CLUSTER_NAME and to scope IAM)."
  type        = string

  validation {
    condition     = length(var.cluster_name) > 0
    error_message = "cluster_name is required."
  }
}

variable "service_name" {
  description = "One ECS service to manage. Leave empty and set services instead to manage several."
  type        = string
  default     = ""
}

variable "services" {
  description = "Several services: the list of the README's configuration section, one object per service with the same fields (name, cluster, host, pathPrefix, port, healthPath, idleSignal, …). A setting left out takes the functions' default and is not written to their configuration; a misspelt one is dropped by Terraform, not refused. Overrides service_name."
  # Every field of a service as the functions read it (internal/config), each
  # optional but the name: a fleet's entries differ in which settings they
  # give. Terraform drops attributes an object type does not declare, so a
  # misspelt setting is ignored rather than refused: check the plan's list.
  type = list(object({
    name               = string
    cluster            = optional(string)
    host               = optional(string)
    pathPrefix         = optional(string)
    port               = optional(number)
    scheme             = optional(string)
    healthPath         = optional(string)
    address            = optional(string)
    url                = optional(string)
    wakeCount          = optional(number)
    wakeTimeoutSeconds = optional(number)
    sleepAfterMinutes  = optional(number)
    graceMinutes       = optional(number)
    idleSignal         = optional(string)
    idleThreshold      = optional(number)
    targetGroup        = optional(string)
    loadBalancer       = optional(string)
    countConnections   = optional(bool)
    metric = optional(object({
      namespace   = optional(string)
      name        = optional(string)
      dimensions  = optional(map(string))
      statistic   = optional(string)
      missingData = optional(string)
    }))
    keepWarm = optional(list(string))
    timezone = optional(string)
    sleepAt  = optional(string)
    # The databases the service needs, each {rdsInstance = "ID"} or {auroraCluster = "ID"}.
    dependsOn = optional(list(object({
      rdsInstance   = optional(string)
      auroraCluster = optional(string)
    })))
  }))
  default = []

  # What the functions would refuse at start-up (internal/config), refused
  # at plan time instead; each message names the services at fault.
  validation {
    condition     = alltrue([for s in var.services : trimspace(s.name) != ""])
    error_message = "Each entry of services needs a name."
  }
  validation {
    condition     = length([for s in var.services : s.name if s.port == null ? false : s.port < 1 || s.port > 65535]) == 0
    error_message = "A service's port must be between 1 and 65535: ${join(", ", [for s in var.services : s.name if s.port == null ? false : s.port < 1 || s.port > 65535])}."
  }
  validation {
    condition     = length([for s in var.services : s.name if !contains(["", "public", "private", "url"], lower(trimspace(coalesce(s.address, " "))))]) == 0
    error_message = "A service's address must be public, private or url: ${join(", ", [for s in var.services : s.name if !contains(["", "public", "private", "url"], lower(trimspace(coalesce(s.address, " "))))])}."
  }
  validation {
    condition     = length([for s in var.services : s.name if !contains(["", "network", "requests", "cpu", "custom", "uptime"], lower(trimspace(coalesce(s.idleSignal, " "))))]) == 0
    error_message = "A service's idleSignal must be network, requests, cpu, custom or uptime: ${join(", ", [for s in var.services : s.name if !contains(["", "network", "requests", "cpu", "custom", "uptime"], lower(trimspace(coalesce(s.idleSignal, " "))))])}."
  }
  # ALB publishes RequestCount by LoadBalancer and TargetGroup together.
  # https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
  validation {
    condition = length([for s in var.services : s.name if lower(trimspace(coalesce(s.idleSignal, " "))) == "requests" && !(
      startswith(coalesce(s.loadBalancer, " "), "app/") && startswith(coalesce(s.targetGroup, " "), "targetgroup/")
    )]) == 0
    error_message = "A service with idleSignal = \"requests\" needs loadBalancer (app/NAME/ID) and targetGroup (targetgroup/NAME/ID), never a target group alone: ALB publishes RequestCount by both together. At fault: ${join(", ", [for s in var.services : s.name if lower(trimspace(coalesce(s.idleSignal, " "))) == "requests" && !(
      startswith(coalesce(s.loadBalancer, " "), "app/") && startswith(coalesce(s.targetGroup, " "), "targetgroup/")
    )])}."
  }
  # RDS DB instance and cluster identifiers: 1 to 63 letters, digits or
  # hyphens, starting with a letter, no final hyphen nor two in a row.
  # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints
  validation {
    condition = length([for s in var.services : s.name if s.dependsOn != null && anytrue([for d in s.dependsOn == null ? [] : s.dependsOn :
      (d.rdsInstance == null) == (d.auroraCluster == null) || !can(regex("^[A-Za-z](-?[A-Za-z0-9]){0,62}$", coalesce(d.rdsInstance, d.auroraCluster, "-")))
    ])]) == 0
    error_message = "Each dependsOn entry is {rdsInstance = \"ID\"} or {auroraCluster = \"ID\"}, exactly one, and the ID an RDS identifier (1 to 63 letters, digits or hyphens, starting with a letter, no final hyphen nor two in a row). At fault: ${join(", ", [for s in var.services : s.name if s.dependsOn != null && anytrue([for d in s.dependsOn == null ? [] : s.dependsOn :
      (d.rdsInstance == null) == (d.auroraCluster == null) || !can(regex("^[A-Za-z](-?[A-Za-z0-9]){0,62}$", coalesce(d.rdsInstance, d.auroraCluster, "-")))
    ])])}."
  }
}

variable "service_depends_on" {
  description = "The databases the single service (service_name) needs, each {rdsInstance = \"ID\"} or {auroraCluster = \"ID\"}: Wake starts them before the service, Auto-Sleep stops them once it sleeps. With services, give each service's dependsOn instead."
  type = list(object({
    rdsInstance   = optional(string)
    auroraCluster = optional(string)
  }))
  default = []

  validation {
    condition = alltrue([for d in var.service_depends_on :
      (d.rdsInstance == null) != (d.auroraCluster == null) && can(regex("^[A-Za-z](-?[A-Za-z0-9]){0,62}$", coalesce(d.rdsInstance, d.auroraCluster, "-")))
    ])
    error_message = "Each service_depends_on entry is {rdsInstance = \"ID\"} or {auroraCluster = \"ID\"}, exactly one, and the ID an RDS identifier (1 to 63 letters, digits or hyphens, starting with a letter, no final hyphen nor two in a row)."
  }
}

variable "services_storage" {
  description = "Where the functions read the services list: environment (the SERVICES variable; Lambda allows 4 KB of environment: about 35 services with a host, port and health path, 7 with every setting) or s3 (an object in a versioned bucket the module creates, read once per execution environment; up to 1 MB, about 2,000 services with every setting)."
  type        = string
  default     = "environment"

  validation {
    condition     = contains(["environment", "s3"], var.services_storage)
    error_message = "services_storage must be environment or s3."
  }
}

variable "iam_service_scope" {
  description = "What the roles may scale and tag: services (each listed service's ARN) or clusters (every service of the listed clusters, service/CLUSTER/*). IAM allows 10,240 characters of inline policy per role, about 130 service ARNs with 20-character names; the plan says when the list needs clusters."
  type        = string
  default     = "services"

  validation {
    condition     = contains(["services", "clusters"], var.iam_service_scope)
    error_message = "iam_service_scope must be services or clusters."
  }
}

variable "app_port" {
  description = "Port the app listens on (one service)."
  type        = number
  default     = 80

  validation {
    condition     = var.app_port >= 1 && var.app_port <= 65535
    error_message = "app_port must be between 1 and 65535."
  }
}

variable "health_path" {
  description = "Path probed with GET before visitors are sent to the app (one service); empty: a TCP connect to the port."
  type        = string
  default     = ""

  validation {
    condition     = var.health_path == "" || can(regex("^/[^/]", var.health_path)) || var.health_path == "/"
    error_message = "health_path must be empty or start with a single /."
  }
}

variable "address_mode" {
  description = "Where visitors go once ready: public (task's public IP), private (its private IP, for visitors inside the VPC; needs wake_subnet_ids), or url."
  type        = string
  default     = "public"

  validation {
    condition     = contains(["public", "private", "url"], var.address_mode)
    error_message = "address_mode must be public, private or url."
  }
}

variable "wake_subnet_ids" {
  description = "Subnets to attach the Wake function to, for address_mode = private (a Lambda function reaches private IPs only inside the VPC). Wake must still reach the ECS and EC2 APIs from there: a NAT gateway, or interface VPC endpoints for ecs and ec2 (see the README for their cost)."
  type        = list(string)
  default     = []

  validation {
    condition = length(var.wake_subnet_ids) > 0 || !(var.address_mode == "private" || anytrue([
      for s in var.services : lower(trimspace(coalesce(s.address, "public"))) == "private"
    ]))
    error_message = "address_mode = \"private\" needs wake_subnet_ids and wake_security_group_ids: a Lambda function outside a VPC cannot reach a task's private IP, so the service would never become ready."
  }
}

variable "wake_security_group_ids" {
  description = "Security groups of the Wake function when attached to the VPC (wake_subnet_ids); the tasks' security group must allow them on the app port."
  type        = list(string)
  default     = []

  validation {
    condition     = (length(var.wake_security_group_ids) > 0) == (length(var.wake_subnet_ids) > 0)
    error_message = "wake_subnet_ids and wake_security_group_ids go together: set both or neither."
  }
}

variable "app_url" {
  description = "With address_mode = url: the fixed URL visitors go to (a load balancer's)."
  type        = string
  default     = ""

  validation {
    condition     = var.address_mode != "url" || can(regex("^https?://[^/]", var.app_url))
    error_message = "address_mode = \"url\" needs app_url, an http:// or https:// URL such as a load balancer's."
  }
}

variable "sleep_after_minutes" {
  description = "Idle window: minutes the idle signal must say idle before the service is put to sleep."
  type        = number
  default     = 15

  validation {
    condition     = var.sleep_after_minutes >= 1 && var.sleep_after_minutes <= 10080
    error_message = "sleep_after_minutes must be between 1 and 10080."
  }
}

variable "idle_signal" {
  description = "What says the service is idle: network (Container Insights, default), requests, cpu, custom or uptime."
  type        = string
  default     = "network"

  validation {
    condition     = contains(["network", "requests", "cpu", "custom", "uptime"], var.idle_signal)
    error_message = "idle_signal must be network, requests, cpu, custom or uptime."
  }
}

variable "idle_threshold" {
  description = "Threshold of the idle signal, at or below which a minute is idle: bytes/second received plus sent (network, Container Insights' unit; default 1), requests in the window (requests; default 0), percent (cpu; default 5), or the metric's unit (custom). null for the signal's default."
  type        = number
  default     = null

  validation {
    condition     = var.idle_threshold == null || try(var.idle_threshold >= 0, false)
    error_message = "idle_threshold must not be negative."
  }
}

variable "target_group" {
  description = "The requests signal's target group, as its ARN suffix (targetgroup/NAME/ID)."
  type        = string
  default     = ""

  validation {
    condition     = var.target_group == "" || startswith(var.target_group, "targetgroup/")
    error_message = "target_group must be the ARN suffix targetgroup/NAME/ID."
  }
}

variable "load_balancer" {
  description = "The requests signal's Application Load Balancer, as its ARN suffix (app/NAME/ID). Required with the requests signal: ALB publishes RequestCount by load balancer and target group together, never by target group alone."
  type        = string
  default     = ""

  validation {
    condition     = var.idle_signal != "requests" || (startswith(var.load_balancer, "app/") && startswith(var.target_group, "targetgroup/"))
    error_message = "idle_signal = \"requests\" needs load_balancer (app/NAME/ID) and target_group (targetgroup/NAME/ID): ALB publishes RequestCount by load balancer and target group together, never by target group alone."
  }
}

variable "count_connections" {
  description = "With the requests signal, count the load balancer's open client connections as use (a WebSocket makes one request, then none). Set false when other services share the load balancer."
  type        = bool
  default     = true
}

variable "extra_environment" {
  description = "More environment variables for both functions (e.g. KEEP_WARM, TIMEZONE, GRACE_MINUTES, DRY_RUN)."
  type        = map(string)
  default     = {}

  # Lambda's pattern for a variable's name.
  # https://docs.aws.amazon.com/lambda/latest/api/API_Environment.html
  validation {
    condition     = alltrue([for k in keys(var.extra_environment) : can(regex("^[a-zA-Z][a-zA-Z0-9_]+$", k))])
    error_message = "extra_environment's names must start with a letter and hold only letters, digits and underscores."
  }
}

variable "wake_memory_mb" {
  description = "Memory of the Wake function. Lambda gives CPU in proportion to memory (one vCPU at 1,769 MB), and a cold start is CPU work: at 512 MB a new execution environment answers its first visitor in about 0.1 s, at 128 MB in about 0.55 s, long enough for a crowd of first visits to reach wake_reserved_concurrency and get API Gateway's 500. Above 512 MB it starts little faster. Wake's invocations take milliseconds, so the memory costs cents a month (the README gives the figures)."
  type        = number
  default     = 512

  # https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
  validation {
    condition     = var.wake_memory_mb >= 128 && var.wake_memory_mb <= 10240 && floor(var.wake_memory_mb) == var.wake_memory_mb
    error_message = "wake_memory_mb must be a whole number of MB between 128 and 10240."
  }
}

variable "autosleep_memory_mb" {
  description = "Memory of the Auto-Sleep function: it runs once a minute and no visitor waits for it."
  type        = number
  default     = 128

  validation {
    condition     = var.autosleep_memory_mb >= 128 && var.autosleep_memory_mb <= 10240 && floor(var.autosleep_memory_mb) == var.autosleep_memory_mb
    error_message = "autosleep_memory_mb must be a whole number of MB between 128 and 10240."
  }
}

variable "memory_mb" {
  description = "Deprecated: the memory of both functions, over wake_memory_mb and autosleep_memory_mb, as before those existed. Leave it unset."
  type        = number
  default     = null

  validation {
    condition     = var.memory_mb == null || try(var.memory_mb >= 128 && var.memory_mb <= 10240, false)
    error_message = "memory_mb must be between 128 and 10240."
  }
}

variable "wake_timeout_seconds" {
  description = "Timeout of the Wake function (its answers take well under a second; API Gateway cuts at 30 s)."
  type        = number
  default     = 10

  validation {
    condition     = var.wake_timeout_seconds >= 3 && var.wake_timeout_seconds <= 29
    error_message = "wake_timeout_seconds must be between 3 and 29."
  }
}

variable "wake_reserved_concurrency" {
  description = "Reserved concurrency of the Wake function: the most execution environments it runs at once. Each environment reads ECS at most wake_reads_per_second times a second, so this bounds Wake's share of the account's ECS and EC2 request buckets (the README gives the figures). Past it API Gateway answers 500, so keep it above the overlapping requests your busiest moment brings: a crowd arriving at once makes Lambda start environments while others are still starting."
  type        = number
  default     = 20

  validation {
    condition     = var.wake_reserved_concurrency >= 1 && var.wake_reserved_concurrency <= 1000 && floor(var.wake_reserved_concurrency) == var.wake_reserved_concurrency
    error_message = "wake_reserved_concurrency must be a whole number between 1 and 1000."
  }
}

variable "wake_reads_per_second" {
  description = "ECS reads (observations of a service: one DescribeServices, at most three ListTasks/DescribeTasks, at most one DescribeNetworkInterfaces) one Wake environment may make a second, all services together (OBSERVE_PER_SECOND). Over it, visitors get the last known state."
  type        = number
  default     = 1

  validation {
    condition     = var.wake_reads_per_second >= 0.05 && var.wake_reads_per_second <= 100
    error_message = "wake_reads_per_second must be between 0.05 and 100."
  }
}

variable "token_key" {
  description = "Key that signs Wake's status tokens (at least 16 characters). Empty: the module makes one and keeps it in its state; replace terraform_data.token_key to rotate it."
  type        = string
  default     = ""
  sensitive   = true

  validation {
    condition     = var.token_key == "" || length(var.token_key) >= 16
    error_message = "token_key must be empty (the module makes one) or at least 16 characters."
  }
}

variable "autosleep_timeout_seconds" {
  description = "Timeout of the Auto-Sleep function."
  type        = number
  default     = 60

  validation {
    condition     = var.autosleep_timeout_seconds >= 10 && var.autosleep_timeout_seconds <= 900
    error_message = "autosleep_timeout_seconds must be between 10 and 900."
  }
}

variable "schedule" {
  description = "How often Auto-Sleep runs: an EventBridge schedule expression, rate(…) or cron(…)."
  type        = string
  default     = "rate(1 minute)"

  # https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
  validation {
    condition     = can(regex("^(rate|cron)\\(.+\\)$", var.schedule))
    error_message = "schedule must be an EventBridge schedule expression, rate(…) or cron(…)."
  }
}

variable "throttle_burst" {
  description = "Stage burst limit of the HTTP API."
  type        = number
  default     = 100

  validation {
    condition     = var.throttle_burst >= 0 && floor(var.throttle_burst) == var.throttle_burst
    error_message = "throttle_burst must be a whole number, 0 or more."
  }
}

variable "throttle_rate" {
  description = "Stage steady rate limit of the HTTP API, requests a second."
  type        = number
  default     = 50

  validation {
    condition     = var.throttle_rate >= 0
    error_message = "throttle_rate must not be negative."
  }
}

variable "log_retention_days" {
  description = "Retention of the functions' and the API's log groups."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, …)."
  }
}

variable "log_kms_key_arn" {
  description = "Optional: the ARN of a symmetric KMS key (arn:aws:kms:REGION:ACCOUNT:key/ID) that encrypts the functions' and the API's log groups; empty: CloudWatch Logs' own encryption. The key's policy must let the service principal logs.REGION.amazonaws.com use it for these log groups before the apply (the README's Deploying section has the statement)."
  type        = string
  default     = ""

  # CloudWatch Logs takes the key's ARN (not an alias or a bare key ID), and only a symmetric key.
  # https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
  # Key IDs are a UUID, or mrk- and 32 hex digits for a multi-Region key.
  # https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id
  validation {
    condition     = var.log_kms_key_arn == "" || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be a KMS key's ARN, arn:aws:kms:REGION:ACCOUNT:key/KEY-ID (CloudWatch Logs takes no alias and no bare key ID), or empty."
  }
}

variable "enable_tracing" {
  description = "Turn on X-Ray active tracing for both functions (adds its permissions)."
  type        = bool
  default     = false
}

variable "domain_name" {
  description = "Optional custom domain for the wake URL (needs certificate_arn)."
  type        = string
  default     = ""
}

variable "certificate_arn" {
  description = "ACM certificate of domain_name, in the same region."
  type        = string
  default     = ""

  validation {
    condition     = (var.domain_name == "") == (var.certificate_arn == "")
    error_message = "domain_name and certificate_arn go together: set both or neither."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "prices" {
  description = "Your Fargate prices for Auto-Sleep's savings report, over the table in its code (PRICES): by Region, capacity provider (FARGATE, FARGATE_SPOT) and architecture (X86_64, ARM64), dollars per vCPU-hour and per GB-hour; and publicIpv4Hour; and databases: by Region, RDS engine (postgres, mysql, …) and DB instance class, the Single-AZ instance-hour price. For a Region the table lacks, the day's Spot prices, or your discounted rates. Unset: the table alone."
  type = object({
    regions        = optional(map(map(map(object({ vcpuHour = number, gbHour = number })))), {})
    publicIpv4Hour = optional(number)
    databases      = optional(map(map(map(number))), {})
  })
  default = null

  # The checks the function makes at start, at plan time instead.
  validation {
    condition = alltrue(flatten([for region, providers in try(var.prices.regions, {}) : [
      for provider, archs in providers : [
        for arch, rate in archs : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", region)) && contains(["FARGATE", "FARGATE_SPOT"], provider) &&
        contains(["X86_64", "ARM64"], arch) && !(provider == "FARGATE_SPOT" && arch == "ARM64") &&
        rate.vcpuHour >= 0 && rate.vcpuHour <= 10 && rate.gbHour >= 0 && rate.gbHour <= 10
      ]
    ]]))
    error_message = "prices.regions: each entry is REGION (such as us-east-1) = { FARGATE or FARGATE_SPOT = { X86_64 or ARM64 = { vcpuHour, gbHour } } }, dollars an hour between 0 and 10; Fargate Spot runs X86_64 only."
  }
  validation {
    condition     = coalesce(try(var.prices.publicIpv4Hour, null), 0) >= 0 && coalesce(try(var.prices.publicIpv4Hour, null), 0) <= 10
    error_message = "prices.publicIpv4Hour is dollars an hour between 0 and 10 (AWS charges 0.005)."
  }
  validation {
    condition = alltrue(flatten([for region, engines in try(var.prices.databases, {}) : [
      for engine, classes in engines : [
        for class, price in classes : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", region)) && can(regex("^db\\.[a-z0-9-]+\\.[a-z0-9]+$", class)) &&
        contains(["db2-ae", "db2-se", "mariadb", "mysql", "oracle-ee", "oracle-ee-cdb", "oracle-se2", "oracle-se2-cdb", "postgres", "sqlserver-ee", "sqlserver-se", "sqlserver-ex", "sqlserver-web"], engine) &&
        price >= 0 && price <= 150
      ]
    ]]))
    error_message = "prices.databases: each entry is REGION (such as us-east-1) = { ENGINE (postgres, mysql, mariadb, oracle-…, sqlserver-…, db2-…) = { CLASS (such as db.t4g.micro) = dollars an hour, Single-AZ, between 0 and 150 } }; Aurora is not priced."
  }
  validation {
    condition     = var.prices == null || length(try(var.prices.regions, {})) > 0 || try(var.prices.publicIpv4Hour, null) != null || length(try(var.prices.databases, {})) > 0
    error_message = "prices gives no price: set regions, publicIpv4Hour or databases, or leave prices unset."
  }
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the functions' metrics (Embedded Metric Format log lines: no API call, no IAM permission); empty turns them off (METRICS=off), and with them the dashboard and the alarm. Give each deployment its own when several share an account and Region."
  type        = string
  default     = "ScaleToZero"

  # CloudWatch's namespace rules; AWS/ is AWS's own.
  # https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Namespace
  validation {
    condition     = var.metrics_namespace == "" || (can(regex("^[0-9A-Za-z._/#: -]{1,255}$", var.metrics_namespace)) && trimspace(var.metrics_namespace) != "" && !startswith(var.metrics_namespace, ":") && !startswith(var.metrics_namespace, "AWS/"))
    error_message = "metrics_namespace must be a CloudWatch namespace (1 to 255 of the letters, digits, space and . - _ / # :, not starting with a colon or AWS/), or empty for no metrics."
  }
}

variable "dashboard" {
  description = "Create a CloudWatch dashboard of the metrics (wake time, wakes, failed wakes, sleeps by rule, tasks awake per service). Off by default: beyond the account's first 3 dashboards each costs $3 a month."
  type        = bool
  default     = false

  validation {
    condition     = !var.dashboard || var.metrics_namespace != ""
    error_message = "dashboard needs the metrics: set metrics_namespace (empty turns them off)."
  }
}

variable "alarm_sns_topic_arn" {
  description = "ARN of an SNS topic to notify when wakes fail (an alarm on WakesFailed, all services together); empty: no alarm."
  type        = string
  default     = ""

  # https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html (topic names)
  validation {
    condition     = var.alarm_sns_topic_arn == "" || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$", var.alarm_sns_topic_arn))
    error_message = "alarm_sns_topic_arn must be an SNS topic's ARN, arn:aws:sns:REGION:ACCOUNT:NAME, or empty."
  }
  validation {
    condition     = var.alarm_sns_topic_arn == "" || var.metrics_namespace != ""
    error_message = "The alarm on failed wakes needs the metrics: set metrics_namespace (empty turns them off)."
  }
}

variable "alarm_failed_wakes" {
  description = "The alarm goes off at this many failed wakes within alarm_period_seconds."
  type        = number
  default     = 1

  validation {
    condition     = var.alarm_failed_wakes >= 1 && floor(var.alarm_failed_wakes) == var.alarm_failed_wakes
    error_message = "alarm_failed_wakes must be a whole number, at least 1."
  }
}

variable "alarm_period_seconds" {
  description = "The alarm's period: failed wakes are summed over this long."
  type        = number
  default     = 300

  # A standard-resolution metric's period is a multiple of 60 s, and an alarm looks at most a day back.
  # https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
  validation {
    condition     = var.alarm_period_seconds >= 60 && var.alarm_period_seconds <= 86400 && var.alarm_period_seconds % 60 == 0
    error_message = "alarm_period_seconds must be a multiple of 60 between 60 and 86400."
  }
}
