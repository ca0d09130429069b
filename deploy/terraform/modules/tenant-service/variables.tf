variable "environment" {
  description = "dev, sit or prod: part of every resource name"
  type        = string
  validation {
    condition     = contains(["dev", "sit", "prod"], var.environment)
    error_message = "environment must be dev, sit or prod"
  }
}

variable "initial_package" {
  description = "Zip that creates the function the first time (scripts/package-lambda.sh); later code changes belong to scripts/release, not Terraform"
  type        = string
}

variable "architecture" {
  type    = string
  default = "arm64"
}

variable "memory_mb" {
  type    = number
  default = 512
}

variable "timeout_seconds" {
  type    = number
  default = 29 # API Gateway's integration limit
}

variable "log_retention_days" {
  type    = number
  default = 30
}

variable "cognito_user_pool_id" {
  description = "bbws-user-pool-{env}, which exists before this stack (runbook 2.3)"
  type        = string
}

variable "cognito_client_id" {
  description = "App client whose tokens the API accepts (the token audience)"
  type        = string
}

variable "public_url" {
  description = "Where users reach the API (https://api.example.com/prod, no trailing slash): the console lives at PUBLIC_URL/console/ and invitation links point there. Empty: tenantd's default"
  type        = string
  default     = ""
}

variable "cognito_domain" {
  description = "The user pool's hosted UI (https://PREFIX.auth.REGION.amazoncognito.com) the console signs in through; its app client (cognito_client_id) needs PUBLIC_URL/console/ as callback and sign-out URL. Empty: the console offers no sign-in"
  type        = string
  default     = ""
}

variable "ecs_cluster_arn" {
  description = "Cluster whose service events become instance progress reports"
  type        = string
}

variable "alarm_email" {
  description = "Optional address subscribed to the alarm topic"
  type        = string
  default     = ""
}

variable "extra_environment" {
  description = "More Lambda environment variables (see `tenantd serve --help`)"
  type        = map(string)
  default     = {}
}
